-- The email outbox. Same table, columns and constraints as
-- postgres/20261128000002_outbox.tx.up.sql, which explains them; timestamps
-- are TEXT in bun's UTC form, as in 20261128000001_init, so they compare
-- chronologically as text.

CREATE TABLE outbox (
    id                  TEXT    NOT NULL PRIMARY KEY,
    kind                TEXT    NOT NULL,
    recipient           TEXT    NOT NULL,
    payload             TEXT    NOT NULL,
    status              TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dead')),
    attempts            INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at     TEXT    NOT NULL,
    locked_until        TEXT,
    last_error          TEXT,
    provider_message_id TEXT,
    created_at          TEXT    NOT NULL,
    sent_at             TEXT
) STRICT;
CREATE INDEX outbox_status_next_attempt_at_idx ON outbox (status, next_attempt_at);
