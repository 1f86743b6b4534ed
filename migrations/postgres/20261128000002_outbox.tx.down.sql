-- Drops what 20261128000002_outbox created.
DROP TABLE IF EXISTS outbox;
