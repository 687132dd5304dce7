-- Risk Level: LOW
-- Adding a nullable column with a constant default is a catalog-only change on PostgreSQL 11+.
SET lock_timeout = '2s';
ALTER TABLE orders ADD COLUMN status text DEFAULT 'pending';
ALTER TABLE orders ADD CONSTRAINT orders_status_check
  CHECK (status IN ('pending', 'paid', 'shipped', 'cancelled')) NOT VALID;
