-- Per-language limits, reference solutions and their calibration. Rows
-- from before read as no per-language limits, no reference solutions,
-- default settings, never calibrated.
ALTER TABLE questions ADD COLUMN limits_by_language TEXT NOT NULL DEFAULT '{}';  -- JSON: language -> judge::RequestedLimits
ALTER TABLE questions ADD COLUMN reference_solutions TEXT NOT NULL DEFAULT '[]'; -- JSON: [judge::ReferenceSolution]; admins only
ALTER TABLE questions ADD COLUMN calibration TEXT NOT NULL DEFAULT '{}';         -- JSON: judge::CalibrationSettings
ALTER TABLE questions ADD COLUMN calibrated TEXT;                                -- JSON: judge::Calibration, the last one; NULL: never
