import type { Migration } from '../db/migration';

/**
 * The SQL event store's schema, in the style of Emmett's PostgreSQL store: one row per stream
 * (its version and the hash of its last event, the head of the hash chain) and one row per event.
 */
export const eventStoreMigrations: Migration[] = [
  {
    version: 101,
    name: 'eventstore: streams and messages',
    sql: `
      CREATE TABLE streams (
        stream_id  text PRIMARY KEY,
        version    bigint NOT NULL CHECK (version >= 0),
        last_hash  text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE messages (
        global_position bigserial NOT NULL,
        stream_id       text NOT NULL,
        stream_position bigint NOT NULL CHECK (stream_position >= 1),
        -- Readers only see transactions older than every running one, so a late commit is never skipped.
        transaction_id  xid8 NOT NULL DEFAULT pg_current_xact_id(),
        type            text NOT NULL,
        data            jsonb NOT NULL,
        metadata        jsonb NOT NULL,
        created_at      timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (stream_id, stream_position)
      );

      CREATE INDEX messages_transaction_global_idx ON messages (transaction_id, global_position);
    `,
  },
];
