import type { SqlExecutor } from '../db/sql';
import type { Statement } from '../db/statements';
import type { DapilLookup } from '../election/dapil-index';
import type { RebuildFold, RebuildFoldOptions, ResultTransition } from './projection-definition';
import { loadDapilLookup, sumTallyDeltas, tallySumsWrite, type TallyTable } from './projection-store';
import type { Sums, TallyDelta } from './tally.projection';

/**
 * Sums held in memory before a rebuild writes them: about 200 vote keys each at most (a DPR desa),
 * so tens of MB. A kabupaten holds a few hundred and writes once, at the end; a country writes
 * every time the bound is reached, adding to what it wrote before.
 */
export const MAX_HELD_SUMS = 20_000;

/**
 * A tally definition's rebuild (`ProjectionDefinition.startRebuild`): the per-batch path reads every
 * touched row, adds the batch and rewrites it, so a rebuild rewrote the same desa, kecamatan and
 * kabupaten rows with hundreds of vote keys once per batch. This adds the batches' transitions into
 * the same sums the per-batch path keeps (`add`), and rolls up and writes only when the bound is
 * reached and at the end (`deltasOf`), through the same read-add-write as the per-batch path.
 */
export function tallyFold(
  table: TallyTable,
  add: (sums: Map<string, Sums>, results: readonly ResultTransition[], dapils: DapilLookup) => unknown,
  deltasOf: (sums: ReadonlyMap<string, Sums>, dapils: DapilLookup) => TallyDelta[],
  { maxHeld }: RebuildFoldOptions,
): RebuildFold {
  const sums = new Map<string, Sums>();
  let dapils: DapilLookup | undefined;
  const flush = async (tx: SqlExecutor, position: string): Promise<Array<Statement | undefined>> => {
    if (sums.size === 0) return [];
    const deltas = deltasOf(sums, dapils!);
    sums.clear();
    return [tallySumsWrite(await sumTallyDeltas(tx, deltas, table), position, table)];
  };
  return {
    async add({ results, position }, tx) {
      // The master data does not change during a rebuild: one read of every version's dapils.
      dapils ??= await loadDapilLookup(tx);
      add(sums, results, dapils);
      return sums.size >= maxHeld ? flush(tx, position) : [];
    },
    finish: flush,
  };
}
