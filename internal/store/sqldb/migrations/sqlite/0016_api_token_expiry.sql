-- An API token may expire: expires_at is when it stops working, NULL for never. A revoked token is
-- deleted rather than marked: nothing may use it again, and the audit trail keeps who revoked it
-- and when.
ALTER TABLE api_tokens ADD COLUMN expires_at TIMESTAMP;

-- The account page and the user page list a user's tokens.
CREATE INDEX api_tokens_user ON api_tokens (user_id);
