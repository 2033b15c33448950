-- Rejudging, and each submission's verdict kept with it.
--
-- priority: 0 for a live submission, 1 for a rejudge. Queue tasks claim the
-- lowest first, so rejudging a whole contest never delays a new submission.
ALTER TABLE submissions ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
DROP INDEX submissions_queue;
CREATE INDEX submissions_queue ON submissions (state, priority, created_at);

-- verdict: the status of the first test that did not pass, `accepted`,
-- `not_judged` (its question or language went away) or `internal_error`;
-- NULL until it is first judged. A submission being rejudged keeps its
-- earlier result (score, verdict, execution) until the new one replaces it.
ALTER TABLE submissions ADD COLUMN verdict TEXT;
UPDATE submissions SET verdict =
    CASE WHEN error IS NOT NULL THEN 'internal_error'
         WHEN execution_id IS NULL THEN 'not_judged'
         ELSE COALESCE((SELECT r.status FROM execution_test_results r
                        WHERE r.execution_id = submissions.execution_id
                            AND r.status <> 'accepted'
                        ORDER BY r.test_number LIMIT 1), 'accepted') END
WHERE state = 'finished';

-- A rejudge: which submissions it queued again (one, a question's, a
-- contest's), and how many.
CREATE TABLE rejudges (
    id            TEXT PRIMARY KEY,
    contest_slug  TEXT,
    question_slug TEXT,
    submission_id TEXT,
    total         INTEGER NOT NULL,
    created_at    TEXT NOT NULL      -- RFC 3339, UTC
);
-- The rejudge a queued or running submission waits for; NULL otherwise.
ALTER TABLE submissions ADD COLUMN rejudge_id TEXT;

-- One submission rejudged: its result before and after. A submission's
-- history is these rows, oldest first, and its current result.
CREATE TABLE rejudged_submissions (
    rejudge_id            TEXT NOT NULL REFERENCES rejudges (id),
    submission_id         TEXT NOT NULL REFERENCES submissions (id),
    previous_execution_id TEXT,
    previous_score        INTEGER,
    previous_max_score    INTEGER,
    previous_verdict      TEXT,
    previous_finished_at  TEXT,
    execution_id          TEXT,
    score                 INTEGER,
    max_score             INTEGER,
    verdict               TEXT NOT NULL,
    finished_at           TEXT NOT NULL,
    PRIMARY KEY (rejudge_id, submission_id)
);
CREATE INDEX rejudged_submissions_by_submission ON rejudged_submissions (submission_id, finished_at);

-- ICPC: whether compile errors count as rejected attempts (they add no
-- penalty by default). Judge errors never count.
ALTER TABLE contests ADD COLUMN compile_errors_count INTEGER NOT NULL DEFAULT 0;
