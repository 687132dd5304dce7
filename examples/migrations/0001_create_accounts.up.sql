-- Risk Level: LOW
CREATE TABLE accounts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX accounts_email_key ON accounts (lower(email));

CREATE TABLE sessions (
  token text PRIMARY KEY,
  account_id bigint NOT NULL REFERENCES accounts (id),
  expires_at timestamptz NOT NULL
);
