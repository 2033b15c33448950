-- The PostgreSQL twin of migrations/sqlite/0017_clarifications.sql.
-- Clarifications and announcements in a contest. A clarification is a
-- participant's question (about one of the contest's questions, or the
-- contest), answered privately or to everyone; an announcement is the
-- teacher's, to everyone, with no question.
CREATE TABLE clarifications (
    id            TEXT PRIMARY KEY,
    contest_slug  TEXT NOT NULL REFERENCES contests (slug) ON DELETE CASCADE,
    question_slug TEXT,               -- NULL: about the contest
    asked_by      TEXT,               -- the participant's user id; NULL: an announcement
    text          TEXT NOT NULL,      -- the question, or the announcement
    answer        TEXT,
    public        BIGINT NOT NULL,   -- 1: everyone who sees the contest reads it
    created_at    TEXT NOT NULL,      -- RFC 3339, UTC
    answered_at   TEXT
);
CREATE INDEX clarifications_by_contest ON clarifications (contest_slug, created_at);
