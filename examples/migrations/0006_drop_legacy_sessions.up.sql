-- Risk Level: LOW
-- Declared low, but dropping a table that already exists destroys its data: pgwarden says so.
CREATE TABLE legacy_sessions (token text PRIMARY KEY);
ALTER TABLE accounts ALTER COLUMN email TYPE varchar(320);
DROP TABLE legacy_sessions;
DROP TABLE sessions;
