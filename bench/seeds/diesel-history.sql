-- The history table Diesel's migration runner creates before it runs any migration. Lemmy's
-- 2025-08-01-000017_forbid_diesel_cli puts a trigger on it, so a rehearsal of that history needs it.
CREATE TABLE __diesel_schema_migrations (
  version varchar(50) PRIMARY KEY,
  run_on timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP
);
