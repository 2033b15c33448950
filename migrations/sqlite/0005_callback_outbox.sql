-- The callback outbox: written in the transaction that finishes a submission
-- with a callback_url, so a replica that dies before calling back leaves the
-- call to whichever replica claims the row next. Submissions finished before
-- this migration get no row: their callbacks were sent (or lost) already.
CREATE TABLE callbacks (
    submission_id   TEXT PRIMARY KEY REFERENCES submissions (id),
    url             TEXT NOT NULL,
    state           TEXT NOT NULL,     -- pending, delivered, failed
    attempts        INTEGER NOT NULL,  -- made so far, counting one in flight
    next_attempt_at INTEGER NOT NULL,  -- unix ms
    replica         TEXT,              -- the replica making an attempt
    lease_until     INTEGER            -- unix ms; an attempt past it was abandoned
);

CREATE INDEX callbacks_due ON callbacks (state, next_attempt_at);
