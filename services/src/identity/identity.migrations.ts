import type { Migration } from '../db/migration';

/** Users, the kept token secret and the audit log of logins and admin actions. */
export const identityMigrations: Migration[] = [
  {
    version: 301,
    name: 'identity: users, auth secret, audit log',
    sql: `
      CREATE TABLE users (
        id text PRIMARY KEY,
        username text NOT NULL,
        password_hash text NOT NULL,
        role text NOT NULL CHECK (role IN ('admin', 'verifier', 'official', 'operator')),
        -- Operator scope: desa (10-digit) and/or TPS (13-digit) codes.
        scope jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(scope) = 'array'),
        disabled boolean NOT NULL DEFAULT false,
        -- Part of every token; bumping it revokes every token issued before.
        token_version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text
      );
      CREATE UNIQUE INDEX users_username_ci ON users (lower(username));
      CREATE INDEX users_role ON users (role);

      -- The token secret when SUARA_TOKEN_SECRET is not set, shared by every process and restart.
      CREATE TABLE auth_secret (
        id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
        secret text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE audit_log (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        actor_id text,
        actor_username text,
        action text NOT NULL,
        target text,
        detail jsonb NOT NULL DEFAULT '{}'::jsonb,
        ip text
      );
      CREATE INDEX audit_log_at ON audit_log (at DESC, id DESC);
    `,
  },
  {
    version: 302,
    name: 'identity: notify every process when a user changes',
    sql: `
      -- Processes keep recently read users for authentication; any change to a user row, by the
      -- service, the CLI or by hand, tells every process to forget it.
      CREATE FUNCTION suara_users_changed() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        PERFORM pg_notify('users_changed', OLD.id);
        RETURN NULL;
      END
      $fn$;
      CREATE TRIGGER users_changed AFTER UPDATE OR DELETE ON users FOR EACH ROW EXECUTE FUNCTION suara_users_changed();
    `,
  },
  {
    version: 310,
    name: 'identity: token secret out of the database, logged-out tokens',
    sql: `
      -- A secret in the database is in every dump: whoever holds one could mint any admin's token.
      -- The secret now comes from SUARA_TOKEN_SECRET or a key file; the stored one is dropped, so
      -- sessions signed with it end and everyone logs in once more.
      DROP TABLE IF EXISTS auth_secret;

      -- Tokens ended by POST /api/auth/logout, until they would have expired anyway.
      CREATE TABLE revoked_tokens (
        jti        text PRIMARY KEY,
        user_id    text NOT NULL,
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX revoked_tokens_user ON revoked_tokens (user_id, expires_at);

      -- Processes forget the user (and with it the logged-out tokens they know) and re-check sockets.
      CREATE FUNCTION suara_token_revoked() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        PERFORM pg_notify('users_changed', NEW.user_id);
        RETURN NULL;
      END
      $fn$;
      CREATE TRIGGER token_revoked AFTER INSERT ON revoked_tokens FOR EACH ROW EXECUTE FUNCTION suara_token_revoked();
    `,
  },
];
