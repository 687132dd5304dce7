-- Risk Level: LOW
-- Declared low, but dropping a table that already exists destroys its data: pgwarden says so.
SET lock_timeout = '2s';
ALTER TABLE accounts ALTER COLUMN email TYPE varchar(320);
DROP TABLE sessions;
