-- Interactive questions: the program a submission talks to as it runs
-- (JSON judge::CheckerSpec; NULL for a question judged on its output), and
-- a test's sample interaction, shown to students in its place.
ALTER TABLE questions ADD COLUMN interactor TEXT;
ALTER TABLE question_tests ADD COLUMN interaction TEXT;
