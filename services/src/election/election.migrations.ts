import type { Migration } from '../db/migration';

/** Master data (regions, TPS, the election config) and the deployment's phase. */
export const electionMigrations: Migration[] = [
  {
    version: 201,
    name: 'master data',
    sql: `
      CREATE TABLE regions (
        code text PRIMARY KEY,
        level text NOT NULL,
        name text NOT NULL,
        parent_code text REFERENCES regions(code)
      );
      CREATE INDEX regions_parent ON regions (parent_code);
      CREATE TABLE tps (
        code text PRIMARY KEY,
        desa_code text NOT NULL REFERENCES regions(code),
        kecamatan_code text NOT NULL,
        kabupaten_code text NOT NULL,
        number integer NOT NULL,
        name text NOT NULL
      );
      CREATE INDEX tps_desa ON tps (desa_code);
      CREATE TABLE election_config (
        id text PRIMARY KEY,
        config jsonb NOT NULL,
        loaded_at timestamptz NOT NULL DEFAULT now()
      );
      -- One row: which phase the deployment is in and which election id events are written under now.
      CREATE TABLE deployment (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        election_id text NOT NULL,
        phase text NOT NULL CHECK (phase IN ('simulation', 'real')),
        simulation_run integer NOT NULL DEFAULT 1,
        active_election_id text NOT NULL,
        changed_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
];
