-- Every POST /execute is recorded: who ran what, under which limits, and
-- what each test case did.
CREATE TABLE executions (
    id                TEXT PRIMARY KEY,
    submission_id     TEXT NOT NULL,
    user_id           TEXT,
    question_id       TEXT,
    language          TEXT NOT NULL,
    runtime           TEXT NOT NULL,
    code              TEXT NOT NULL,
    limits            TEXT NOT NULL,  -- JSON: judge::Limits
    comparison        TEXT NOT NULL,  -- JSON: judge::Comparison
    total_tests       INTEGER NOT NULL,
    passed            INTEGER NOT NULL,
    compile_output    TEXT,
    backend           TEXT,           -- where it ran: wasm or native
    execution_time_ms REAL NOT NULL,
    cpu_usage_percent REAL NOT NULL,
    memory_usage_mb   REAL NOT NULL,
    created_at        TEXT NOT NULL   -- RFC 3339, UTC
);

CREATE INDEX executions_by_user_question ON executions (user_id, question_id, created_at);

CREATE TABLE execution_test_results (
    execution_id      TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
    test_number       INTEGER NOT NULL,
    status            TEXT NOT NULL,
    input             TEXT NOT NULL,
    expected_output   TEXT,
    actual_output     TEXT NOT NULL,
    stderr            TEXT NOT NULL,
    output_truncated  BOOLEAN NOT NULL,  -- output above was cut to the response budget
    exit_code         INTEGER,
    message           TEXT,
    execution_time_ms REAL NOT NULL,
    cpu_time_ms       REAL NOT NULL,
    memory_usage_mb   REAL NOT NULL,
    instructions      INTEGER NOT NULL,
    PRIMARY KEY (execution_id, test_number)
);
