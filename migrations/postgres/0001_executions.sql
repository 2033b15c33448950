-- The PostgreSQL twin of migrations/sqlite/0001_executions.sql: the same
-- columns, with the types the Any driver reads the same way on both
-- (BIGINT for integers and flags, DOUBLE PRECISION, TEXT for times).
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
    total_tests       BIGINT NOT NULL,
    passed            BIGINT NOT NULL,
    compile_output    TEXT,
    backend           TEXT,           -- where it ran: wasm or native
    execution_time_ms DOUBLE PRECISION NOT NULL,
    cpu_usage_percent DOUBLE PRECISION NOT NULL,
    memory_usage_mb   DOUBLE PRECISION NOT NULL,
    created_at        TEXT NOT NULL   -- RFC 3339, UTC
);

CREATE INDEX executions_by_user_question ON executions (user_id, question_id, created_at);

CREATE TABLE execution_test_results (
    execution_id      TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
    test_number       BIGINT NOT NULL,
    status            TEXT NOT NULL,
    input             TEXT NOT NULL,
    expected_output   TEXT,
    actual_output     TEXT NOT NULL,
    stderr            TEXT NOT NULL,
    output_truncated  BIGINT NOT NULL,  -- 1: output above was cut to the response budget
    exit_code         BIGINT,
    message           TEXT,
    execution_time_ms DOUBLE PRECISION NOT NULL,
    cpu_time_ms       DOUBLE PRECISION NOT NULL,
    memory_usage_mb   DOUBLE PRECISION NOT NULL,
    instructions      BIGINT NOT NULL,
    PRIMARY KEY (execution_id, test_number)
);
