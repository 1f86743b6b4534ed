-- Initial schema: identity (users, accounts, verifications), organizations
-- (organizations, members, invitations) and sessions.
--
-- Ids are text ("user__<uuid>"). Timestamps are timestamptz (microsecond
-- precision; the application works in milliseconds). Constraint names are
-- PostgreSQL's defaults (<table>_pkey, <table>_<cols>_key, <table>_<col>_fkey)
-- because infrastructure/bunstore tells a primary-key clash from another
-- unique violation by the "_pkey" suffix.

CREATE TABLE users (
    id             text        PRIMARY KEY,
    name           text        NOT NULL,
    email          text        NOT NULL UNIQUE,
    email_verified boolean     NOT NULL DEFAULT false,
    image          text,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL
);

CREATE TABLE accounts (
    id                       text        PRIMARY KEY,
    user_id                  text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider_id              text        NOT NULL,
    account_id               text        NOT NULL,
    password                 text,
    scope                    text,
    access_token             text,
    refresh_token            text,
    id_token                 text,
    access_token_expires_at  timestamptz,
    refresh_token_expires_at timestamptz,
    created_at               timestamptz NOT NULL,
    updated_at               timestamptz NOT NULL,
    UNIQUE (provider_id, account_id)
);
CREATE INDEX accounts_user_id_idx ON accounts (user_id);

-- An identifier names one single-use secret ("reset-password:<token>"):
-- UNIQUE, so consuming it by identifier removes exactly that row and two
-- secrets can never share a name.
CREATE TABLE verifications (
    id         text        PRIMARY KEY,
    identifier text        NOT NULL UNIQUE,
    value      text        NOT NULL,
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

CREATE TABLE organizations (
    id                  text        PRIMARY KEY,
    name                text        NOT NULL,
    slug                text        NOT NULL UNIQUE,
    logo                text,
    metadata            text,
    type                text        NOT NULL CHECK (type IN ('individual', 'team', 'enterprise')),
    is_personal         boolean     NOT NULL DEFAULT false,
    -- The user who created the organization. An organization outlives its
    -- creator: deleting the user clears this, and the application deletes
    -- a personal organization itself.
    owner_user_id       text                 REFERENCES users (id) ON DELETE SET NULL,
    subscription_tier   text        NOT NULL DEFAULT 'free' CHECK (subscription_tier IN ('free', 'plus', 'pro', 'enterprise')),
    subscription_status text        NOT NULL DEFAULT 'active' CHECK (subscription_status IN ('active', 'canceled')),
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL
);
CREATE INDEX organizations_owner_user_id_idx ON organizations (owner_user_id);

CREATE TABLE members (
    id              text        PRIMARY KEY,
    organization_id text        NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id         text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role            text        NOT NULL,
    status          text        NOT NULL DEFAULT 'active',
    created_at      timestamptz NOT NULL,
    UNIQUE (organization_id, user_id)
);
CREATE INDEX members_user_id_idx ON members (user_id);

CREATE TABLE invitations (
    id              text        PRIMARY KEY,
    organization_id text        NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    email           text        NOT NULL,
    role            text        NOT NULL,
    inviter_id      text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status          text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'rejected', 'canceled')),
    expires_at      timestamptz NOT NULL,
    created_at      timestamptz NOT NULL
);
CREATE INDEX invitations_organization_id_idx ON invitations (organization_id);
CREATE INDEX invitations_email_idx ON invitations (email);
CREATE INDEX invitations_inviter_id_idx ON invitations (inviter_id);
-- One open invitation per address and organization; answered ones are history.
CREATE UNIQUE INDEX invitations_pending_key ON invitations (organization_id, email) WHERE status = 'pending';

CREATE TABLE sessions (
    id                     text        PRIMARY KEY,
    token                  text        NOT NULL UNIQUE,
    user_id                text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at             timestamptz NOT NULL,
    ip_address             text        NOT NULL DEFAULT '',
    user_agent             text        NOT NULL DEFAULT '',
    -- Deleting an organization must not sign its members out.
    active_organization_id text        REFERENCES organizations (id) ON DELETE SET NULL,
    dont_remember          boolean     NOT NULL DEFAULT false,
    created_at             timestamptz NOT NULL,
    updated_at             timestamptz NOT NULL,
    CHECK (expires_at > created_at)
);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);
CREATE INDEX sessions_active_organization_id_idx ON sessions (active_organization_id);
