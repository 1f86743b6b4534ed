-- The email outbox: a use case inserts a row in the transaction of its
-- change, so an email exists exactly when the change committed; the
-- dispatcher (infrastructure/outbox) delivers it later, at least once.
--
-- id is "email__<uuid>" and doubles as the idempotency key sent with every
-- delivery attempt, so a provider that honours it (Resend) never delivers
-- one row twice. payload is the message as JSON, in the format package
-- outbox owns; kind and recipient repeat two of its fields for operators.
--
-- A row is pending until it is sent or dead; there is no "sending" status.
-- A dispatcher claims a pending row by setting locked_until (a lease) and
-- counting the attempt; a crashed dispatcher's claim expires by itself, and
-- attempts doubles as the fencing token that keeps a late dispatcher from
-- overwriting a newer claim.

CREATE TABLE outbox (
    id                  text        PRIMARY KEY,
    kind                text        NOT NULL,
    recipient           text        NOT NULL,
    payload             text        NOT NULL,
    status              text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dead')),
    attempts            integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at     timestamptz NOT NULL,
    locked_until        timestamptz,
    last_error          text,
    provider_message_id text,
    created_at          timestamptz NOT NULL,
    sent_at             timestamptz
);
-- Serves the claim (pending rows by due time) and the depth and
-- dead-letter counts of the metrics.
CREATE INDEX outbox_status_next_attempt_at_idx ON outbox (status, next_attempt_at);
