-- The signal that ended a crashed program (e.g. SIGSEGV), which the
-- Judge0 and Piston APIs report; NULL for every other end.
ALTER TABLE execution_test_results ADD COLUMN signal TEXT;

-- Files uploaded through the Jobe API (PUT files/{id}) for runs to name,
-- kept apart by who uploaded them: one client cannot replace another's.
CREATE TABLE program_files (
    owner TEXT NOT NULL,
    id TEXT NOT NULL,
    bytes BYTEA NOT NULL,
    stored_at TEXT NOT NULL,
    PRIMARY KEY (owner, id)
);
