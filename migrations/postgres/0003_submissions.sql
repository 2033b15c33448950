-- The PostgreSQL twin of migrations/sqlite/0003_submissions.sql.
-- Submissions to questions: written before they run, claimed by a worker
-- of some replica under a lease, updated when they finish. Their per-test
-- results are the execution they point to.
CREATE TABLE submissions (
    id            TEXT PRIMARY KEY,
    user_id       TEXT,
    question_slug TEXT NOT NULL,
    language      TEXT NOT NULL,
    code          TEXT NOT NULL,
    state         TEXT NOT NULL,     -- queued, running, finished
    score         BIGINT,
    max_score     BIGINT,
    execution_id  TEXT REFERENCES executions (id),
    callback_url  TEXT,
    worker        TEXT,              -- the replica that ran (or runs) it
    lease_until   BIGINT,           -- unix ms; a running one past it is reclaimed
    attempts      BIGINT NOT NULL,
    created_at    TEXT NOT NULL,     -- RFC 3339, UTC
    started_at    TEXT,
    finished_at   TEXT
);

CREATE INDEX submissions_queue ON submissions (state, created_at);
CREATE INDEX submissions_by_user ON submissions (user_id, question_slug, created_at);
CREATE INDEX submissions_by_question ON submissions (question_slug, user_id);
