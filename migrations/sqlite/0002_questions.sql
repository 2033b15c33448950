-- Questions and their test cases; per-test points and hidden flags in the
-- execution log.
CREATE TABLE questions (
    slug        TEXT PRIMARY KEY,
    title       TEXT NOT NULL,
    statement   TEXT NOT NULL,
    limits      TEXT NOT NULL,  -- JSON: judge::Limits
    comparison  TEXT NOT NULL,  -- JSON: judge::Comparison
    languages   TEXT NOT NULL,  -- JSON array; empty: every language
    created_at  TEXT NOT NULL,  -- RFC 3339, UTC
    updated_at  TEXT NOT NULL
);

-- A test's number is its rank by position; deleting one leaves a gap.
CREATE TABLE question_tests (
    question_slug   TEXT NOT NULL REFERENCES questions (slug) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    input           TEXT NOT NULL,
    expected_output TEXT NOT NULL,
    hidden          INTEGER NOT NULL,  -- 1: never shown to students
    points          INTEGER NOT NULL,
    PRIMARY KEY (question_slug, position)
);

ALTER TABLE execution_test_results ADD COLUMN points INTEGER NOT NULL DEFAULT 1;
ALTER TABLE execution_test_results ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
