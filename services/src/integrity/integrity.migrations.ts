import type { Migration } from '../db/migration';

/** The trust workstream's range: 110–119 (and 310–319, 701–709 for identity and limits). */
export const integrityMigrations: Migration[] = [
  {
    version: 110,
    name: 'integrity: Merkle tree blocks, seals, sealer lease',
    sql: `
      -- The log's Merkle tree, 256 leaf hashes (32 bytes each) per row; the last row fills up
      -- (hash NULL until complete). A cache for proofs: verify-chain recomputes it from the log.
      CREATE TABLE integrity_blocks (
        block          bigint PRIMARY KEY CHECK (block >= 0),
        leaves         bytea NOT NULL,
        hash           bytea,
        first_position text NOT NULL,
        last_position  text NOT NULL
      );

      -- Signed seals of the tree head, oldest first; each also goes to an append-only file.
      CREATE TABLE integrity_seals (
        id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tree_size  bigint NOT NULL CHECK (tree_size >= 0),
        at         timestamptz NOT NULL,
        record     jsonb NOT NULL
      );
      CREATE INDEX integrity_seals_tree_size ON integrity_seals (tree_size);

      -- Exactly one process seals at a time: the holder of this lease.
      CREATE TABLE integrity_sealer (
        id          smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
        owner       text,
        lease_until timestamptz
      );
      INSERT INTO integrity_sealer (id) VALUES (1);
    `,
  },
  {
    version: 111,
    name: 'integrity: the event log and the seals are append-only',
    sql: `
      -- A guard against mistakes (a hand-written UPDATE, a script run on the wrong database), not
      -- against a superuser or the table owner, who can disable triggers: the seals are the defence
      -- against a deliberate rewrite. TRUNCATE is left to whoever means it (it empties a test database).
      CREATE FUNCTION suara_refuse_rewrite() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        RAISE EXCEPTION 'suara: % on % refused: the event log is append-only', TG_OP, TG_TABLE_NAME
          USING ERRCODE = 'integrity_constraint_violation',
                HINT = 'Events are never changed or removed; a correction is a new event. See README "Integrity".';
      END
      $fn$;
      CREATE TRIGGER messages_append_only BEFORE UPDATE OR DELETE ON messages
        FOR EACH ROW EXECUTE FUNCTION suara_refuse_rewrite();
      CREATE TRIGGER integrity_seals_append_only BEFORE UPDATE OR DELETE ON integrity_seals
        FOR EACH ROW EXECUTE FUNCTION suara_refuse_rewrite();

      -- A stream's head only moves forward: its version grows, and its last hash changes only with it.
      CREATE FUNCTION suara_streams_forward_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        IF TG_OP = 'DELETE' OR NEW.stream_id <> OLD.stream_id OR NEW.version < OLD.version
           OR (NEW.version = OLD.version AND NEW.last_hash IS DISTINCT FROM OLD.last_hash) THEN
          RAISE EXCEPTION 'suara: % of stream % refused: a stream head never moves back', TG_OP, OLD.stream_id
            USING ERRCODE = 'integrity_constraint_violation',
                  HINT = 'Events are never changed or removed; a correction is a new event. See README "Integrity".';
        END IF;
        RETURN NEW;
      END
      $fn$;
      CREATE TRIGGER streams_forward_only BEFORE UPDATE OR DELETE ON streams
        FOR EACH ROW EXECUTE FUNCTION suara_streams_forward_only();
    `,
  },
];
