import { describe, expect, it } from 'vitest';
import { TallyReader } from './read-replica';
import type { SqlDatabase, SqlExecutor } from './sql';

/** A database that answers every read with its current projection position (or fails), and counts reads. */
function server(position: string) {
  const s = {
    position,
    failing: false,
    reads: 0,
    opened: 0,
    db: {
      kind: 'postgres',
      query: async () => {
        s.reads++;
        if (s.failing) throw Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
        return { rows: [{ position: s.position }], rowCount: 1 };
      },
      exec: async () => undefined,
      transaction: async () => { throw new Error('not for reads'); },
      listen: async () => async () => undefined,
      close: async () => undefined,
    } as unknown as SqlDatabase,
  };
  return s;
}

const readPosition = async (db: SqlExecutor) => ({ position: (await db.query<{ position: string }>('SELECT position')).rows[0].position });

describe('TallyReader: a replica answers only what does not take anyone back', () => {
  it('without a replica every read goes to the primary', async () => {
    const primary = server('5:0');
    const reader = new TallyReader(primary.db, undefined);
    expect(await reader.read(readPosition)).toEqual({ position: '5:0' });
    expect(primary.reads).toBe(1);
  });

  it('given a replica that has caught up, when read, then the replica answers', async () => {
    const primary = server('5:0');
    const replica = server('5:0');
    const reader = new TallyReader(primary.db, async () => replica.db);
    expect(await reader.read(readPosition)).toEqual({ position: '5:0' });
    expect([primary.reads, replica.reads]).toEqual([0, 1]);
  });

  it('given a push of a change the replica has not replayed yet, then the primary answers', async () => {
    const primary = server('7:0');
    const replica = server('5:0');
    const reader = new TallyReader(primary.db, async () => replica.db);
    expect(await reader.read(readPosition, '7:0')).toEqual({ position: '7:0' });
    expect([primary.reads, replica.reads]).toEqual([1, 1]);
  });

  it('given the process has shown 7:0, when the replica is still at 5:0, then no read answers less than 7:0 until it catches up', async () => {
    const primary = server('7:0');
    const replica = server('5:0');
    const reader = new TallyReader(primary.db, async () => replica.db);
    await reader.read(readPosition, '7:0');
    expect(await reader.read(readPosition)).toEqual({ position: '7:0' });
    expect(primary.reads).toBe(2);
    replica.position = '7:0';
    expect(await reader.read(readPosition)).toEqual({ position: '7:0' });
    expect(primary.reads).toBe(2);
  });

  it('given the replica fails, then the primary answers and the replica rests 5 s before it is opened again', async () => {
    let now = 0;
    const primary = server('5:0');
    const replica = server('5:0');
    replica.failing = true;
    const reader = new TallyReader(primary.db, async () => (replica.opened++, replica.db), () => undefined, () => now);
    expect(await reader.read(readPosition)).toEqual({ position: '5:0' });
    replica.failing = false;
    now = 4_999;
    await reader.read(readPosition);
    expect([primary.reads, replica.reads, replica.opened]).toEqual([2, 1, 1]);
    now = 5_000;
    await reader.read(readPosition);
    expect([primary.reads, replica.reads, replica.opened]).toEqual([2, 2, 2]);
  });
});
