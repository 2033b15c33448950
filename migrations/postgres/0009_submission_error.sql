-- The PostgreSQL twin of migrations/sqlite/0009_submission_error.sql.
-- Why a submission finished without a result: judging it failed with an
-- error of the server's own on every attempt. NULL: judged, or not yet.
ALTER TABLE submissions ADD COLUMN error TEXT;
