SET lock_timeout = '2s';
ALTER TABLE orders DROP CONSTRAINT orders_status_check;
-- pgwarden-disable-next-statement no-drop-column -- the column was added by 0003 and holds no data yet
ALTER TABLE orders DROP COLUMN status;
