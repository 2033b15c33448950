-- A participant's own time (accessibility accommodations): a later start
-- and extra minutes; NULL and 0 are the contest's window.
ALTER TABLE participants ADD COLUMN starts_at TEXT;
ALTER TABLE participants ADD COLUMN extra_minutes INTEGER NOT NULL DEFAULT 0;

-- Participants may keep submitting after their end: judged, never ranked.
ALTER TABLE contests ADD COLUMN practice_after_end INTEGER NOT NULL DEFAULT 0;
