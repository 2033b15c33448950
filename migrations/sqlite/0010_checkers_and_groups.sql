-- Questions judged by a checker program, and tests in groups (subtasks).
-- A question's checker: JSON judge::CheckerSpec; NULL compares the output.
ALTER TABLE questions ADD COLUMN checker TEXT;
-- JSON: [judge::TestGroup]; '[]' for a question without groups.
ALTER TABLE questions ADD COLUMN test_groups TEXT NOT NULL DEFAULT '[]';
ALTER TABLE question_tests ADD COLUMN test_group TEXT;

-- What each test earned (NULL in results from before: its points if it
-- passed), its group, and what a checker told the judges.
ALTER TABLE execution_test_results ADD COLUMN score INTEGER;
ALTER TABLE execution_test_results ADD COLUMN test_group TEXT;
ALTER TABLE execution_test_results ADD COLUMN judge_message TEXT;

-- A question imported from a package: whether the package's own solutions
-- were judged as it expects (JSON judge::Verification); NULL otherwise.
ALTER TABLE questions ADD COLUMN verification TEXT;
