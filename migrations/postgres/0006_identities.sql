-- The PostgreSQL twin of migrations/sqlite/0006_identities.sql.
-- Identities and contests. Every execution and submission records who made
-- it (owner: admin, service, participant or anonymous; with the contest for
-- a participant); rows from before this migration have none and only admin
-- and service read them. Keys and tokens are stored only as SHA-256 digests.
ALTER TABLE executions ADD COLUMN owner TEXT;
ALTER TABLE executions ADD COLUMN contest_slug TEXT;
ALTER TABLE submissions ADD COLUMN owner TEXT;
ALTER TABLE submissions ADD COLUMN contest_slug TEXT;
CREATE INDEX submissions_by_contest ON submissions (contest_slug, user_id);

CREATE TABLE api_keys (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL,         -- admin, service
    key_hash   TEXT NOT NULL UNIQUE,  -- hex SHA-256 of the key
    created_at TEXT NOT NULL          -- RFC 3339, UTC
);

CREATE TABLE contests (
    slug           TEXT PRIMARY KEY,
    title          TEXT NOT NULL,
    starts_at      TEXT NOT NULL,     -- RFC 3339, UTC
    ends_at        TEXT NOT NULL,
    scoring        TEXT NOT NULL,     -- ioi, icpc
    scoreboard     TEXT NOT NULL,     -- public, participants, after_end, hidden
    freeze_minutes BIGINT,
    public         BIGINT NOT NULL,  -- 1: anyone sees it and, from its start, its questions
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);

-- A question may be in several contests; deleting a question in one is refused.
CREATE TABLE contest_questions (
    contest_slug  TEXT NOT NULL REFERENCES contests (slug) ON DELETE CASCADE,
    question_slug TEXT NOT NULL REFERENCES questions (slug),
    position      BIGINT NOT NULL,
    PRIMARY KEY (contest_slug, question_slug)
);
CREATE INDEX contest_questions_by_question ON contest_questions (question_slug);

CREATE TABLE participants (
    contest_slug TEXT NOT NULL REFERENCES contests (slug) ON DELETE CASCADE,
    user_id      TEXT NOT NULL,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,  -- hex SHA-256 of the token
    created_at   TEXT NOT NULL,
    PRIMARY KEY (contest_slug, user_id)
);
