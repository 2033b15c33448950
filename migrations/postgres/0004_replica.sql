-- One name per concept: the judgebox process that holds a submission is a replica.
ALTER TABLE submissions RENAME COLUMN worker TO replica;
