-- Risk Level: LOW
-- VALIDATE takes SHARE UPDATE EXCLUSIVE: reads and writes carry on while it scans.
SET lock_timeout = '2s';
ALTER TABLE orders VALIDATE CONSTRAINT orders_status_check;
