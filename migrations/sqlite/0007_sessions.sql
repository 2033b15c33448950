-- Sessions of the web pages: a cookie names one by the digest of its value.
-- A session holds the digest of the credential it was opened with (the
-- admin token, an admin API key, or a participant token), so it ends when
-- that credential is revoked.
CREATE TABLE sessions (
    id_hash     TEXT PRIMARY KEY,  -- hex SHA-256 of the cookie's value
    token_hash  TEXT NOT NULL,     -- hex SHA-256 of the credential signed in with
    csrf        TEXT NOT NULL,     -- the token forms and scripts send back
    created_at  TEXT NOT NULL,     -- RFC 3339, UTC
    expires_at  INTEGER NOT NULL   -- unix ms
);

CREATE INDEX sessions_by_expiry ON sessions (expires_at);
