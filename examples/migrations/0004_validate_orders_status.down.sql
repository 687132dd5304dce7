-- Nothing to undo: validation only checks existing rows.
SELECT 1;
