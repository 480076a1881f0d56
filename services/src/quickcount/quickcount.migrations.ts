import type { Migration } from '../db/migration';

export const quickcountMigrations: Migration[] = [
  {
    version: 501,
    name: 'quick count samples',
    sql: `
      -- One drawn sample per (election, ballot); the seed lets anyone redraw and check it.
      CREATE TABLE quickcount_samples (
        election_id text NOT NULL,
        ballot text NOT NULL,
        seed text NOT NULL,
        size integer NOT NULL,
        tps_codes jsonb NOT NULL,
        strata jsonb NOT NULL,
        drawn_by text NOT NULL,
        drawn_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (election_id, ballot)
      );
    `,
  },
];
