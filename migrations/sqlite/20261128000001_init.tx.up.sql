-- Initial schema: identity (users, accounts, verifications), organizations
-- (organizations, members, invitations) and sessions. Same tables, columns
-- and constraints as postgres/20261128000001_init.tx.up.sql.
--
-- Tables are STRICT, so a column holds only its declared type, as in
-- PostgreSQL. Booleans are INTEGER 0/1. Timestamps are TEXT in the form bun
-- writes them, always UTC with up to microseconds:
-- 'YYYY-MM-DD HH:MM:SS[.ffffff]+00:00'. With one fixed offset that text
-- sorts chronologically, so comparisons and the CHECK on sessions hold.
-- Foreign keys are enforced because every connection sets foreign_keys=ON.

CREATE TABLE users (
    id             TEXT    NOT NULL PRIMARY KEY,
    name           TEXT    NOT NULL,
    email          TEXT    NOT NULL UNIQUE,
    email_verified INTEGER NOT NULL DEFAULT 0 CHECK (email_verified IN (0, 1)),
    image          TEXT,
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL
) STRICT;

CREATE TABLE accounts (
    id                       TEXT NOT NULL PRIMARY KEY,
    user_id                  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider_id              TEXT NOT NULL,
    account_id               TEXT NOT NULL,
    password                 TEXT,
    scope                    TEXT,
    access_token             TEXT,
    refresh_token            TEXT,
    id_token                 TEXT,
    access_token_expires_at  TEXT,
    refresh_token_expires_at TEXT,
    created_at               TEXT NOT NULL,
    updated_at               TEXT NOT NULL,
    UNIQUE (provider_id, account_id)
) STRICT;
CREATE INDEX accounts_user_id_idx ON accounts (user_id);

-- An identifier names one single-use secret ("reset-password:<token>"):
-- UNIQUE, so consuming it by identifier removes exactly that row and two
-- secrets can never share a name.
CREATE TABLE verifications (
    id         TEXT NOT NULL PRIMARY KEY,
    identifier TEXT NOT NULL UNIQUE,
    value      TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE organizations (
    id                  TEXT    NOT NULL PRIMARY KEY,
    name                TEXT    NOT NULL,
    slug                TEXT    NOT NULL UNIQUE,
    logo                TEXT,
    metadata            TEXT,
    type                TEXT    NOT NULL CHECK (type IN ('individual', 'team', 'enterprise')),
    is_personal         INTEGER NOT NULL DEFAULT 0 CHECK (is_personal IN (0, 1)),
    -- The user who created the organization. An organization outlives its
    -- creator: deleting the user clears this, and the application deletes
    -- a personal organization itself.
    owner_user_id       TEXT             REFERENCES users (id) ON DELETE SET NULL,
    subscription_tier   TEXT    NOT NULL DEFAULT 'free' CHECK (subscription_tier IN ('free', 'plus', 'pro', 'enterprise')),
    subscription_status TEXT    NOT NULL DEFAULT 'active' CHECK (subscription_status IN ('active', 'canceled')),
    created_at          TEXT    NOT NULL,
    updated_at          TEXT    NOT NULL
) STRICT;
CREATE INDEX organizations_owner_user_id_idx ON organizations (owner_user_id);

CREATE TABLE members (
    id              TEXT NOT NULL PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role            TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'active',
    created_at      TEXT NOT NULL,
    UNIQUE (organization_id, user_id)
) STRICT;
CREATE INDEX members_user_id_idx ON members (user_id);

CREATE TABLE invitations (
    id              TEXT NOT NULL PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    email           TEXT NOT NULL,
    role            TEXT NOT NULL,
    inviter_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'rejected', 'canceled')),
    expires_at      TEXT NOT NULL,
    created_at      TEXT NOT NULL
) STRICT;
CREATE INDEX invitations_organization_id_idx ON invitations (organization_id);
CREATE INDEX invitations_email_idx ON invitations (email);
CREATE INDEX invitations_inviter_id_idx ON invitations (inviter_id);
-- One open invitation per address and organization; answered ones are history.
CREATE UNIQUE INDEX invitations_pending_key ON invitations (organization_id, email) WHERE status = 'pending';

CREATE TABLE sessions (
    id                     TEXT    NOT NULL PRIMARY KEY,
    token                  TEXT    NOT NULL UNIQUE,
    user_id                TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at             TEXT    NOT NULL,
    ip_address             TEXT    NOT NULL DEFAULT '',
    user_agent             TEXT    NOT NULL DEFAULT '',
    -- Deleting an organization must not sign its members out.
    active_organization_id TEXT    REFERENCES organizations (id) ON DELETE SET NULL,
    dont_remember          INTEGER NOT NULL DEFAULT 0 CHECK (dont_remember IN (0, 1)),
    created_at             TEXT    NOT NULL,
    updated_at             TEXT    NOT NULL,
    CHECK (expires_at > created_at)
) STRICT;
CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);
CREATE INDEX sessions_active_organization_id_idx ON sessions (active_organization_id);
