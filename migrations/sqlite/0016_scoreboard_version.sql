-- Counts the changes that move a contest's standings (a result recorded,
-- its participants or settings changed), so that every replica can keep a
-- computed scoreboard until the count moves.
ALTER TABLE contests ADD COLUMN scoreboard_version INTEGER NOT NULL DEFAULT 0;
