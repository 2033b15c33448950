-- The images a question's statement shows (from its package), served at
-- /questions/{slug}/images/{name}.
CREATE TABLE statement_images (
    question_slug TEXT NOT NULL REFERENCES questions (slug) ON DELETE CASCADE,
    name TEXT NOT NULL,
    bytes BYTEA NOT NULL,
    PRIMARY KEY (question_slug, name)
);
