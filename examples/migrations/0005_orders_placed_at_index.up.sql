-- Risk Level: MEDIUM
-- A plain CREATE INDEX blocks writes to orders while it builds.
CREATE INDEX orders_placed_at_idx ON orders (placed_at);
