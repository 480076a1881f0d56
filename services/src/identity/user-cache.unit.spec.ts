import { describe, expect, it } from 'vitest';
import { UserCache } from './user-cache';

function counting(users: Record<string, string | undefined>) {
  const reads: string[] = [];
  const load = async (id: string) => {
    reads.push(id);
    return users[id] ?? null;
  };
  return { reads, load };
}

describe('UserCache', () => {
  it('given a user read moments ago, when asked again, then it answers without reading', async () => {
    const { reads, load } = counting({ u1: 'ani' });
    const cache = new UserCache(load);
    expect(await cache.get('u1')).toBe('ani');
    expect(await cache.get('u1')).toBe('ani');
    expect(reads).toEqual(['u1']);
  });

  it('given concurrent first requests, then the user is read once', async () => {
    const { reads, load } = counting({ u1: 'ani' });
    const cache = new UserCache(load);
    await Promise.all([cache.get('u1'), cache.get('u1'), cache.get('u1')]);
    expect(reads).toEqual(['u1']);
  });

  it('given a forgotten user (changed), then the next request reads the stored row', async () => {
    const users: Record<string, string | undefined> = { u1: 'ani' };
    const { reads, load } = counting(users);
    const cache = new UserCache(load);
    await cache.get('u1');
    users.u1 = 'ani (disabled)';
    cache.forget('u1');
    expect(await cache.get('u1')).toBe('ani (disabled)');
    expect(reads).toEqual(['u1', 'u1']);
  });

  it('given the TTL has passed, then the user is read again', async () => {
    let now = 0;
    const { reads, load } = counting({ u1: 'ani' });
    const cache = new UserCache(load, 5_000, 10, () => now);
    await cache.get('u1');
    now = 4_999;
    await cache.get('u1');
    now = 5_000;
    await cache.get('u1');
    expect(reads).toEqual(['u1', 'u1']);
  });

  it('given an unknown user or a failed read, then nothing is remembered', async () => {
    let fail = true;
    const reads: string[] = [];
    const cache = new UserCache(async (id: string) => {
      reads.push(id);
      if (fail) throw new Error('database down');
      return id === 'u1' ? 'ani' : null;
    });
    await expect(cache.get('u1')).rejects.toThrow('database down');
    fail = false;
    expect(await cache.get('u1')).toBe('ani');
    expect(await cache.get('nobody')).toBeNull();
    expect(await cache.get('nobody')).toBeNull();
    expect(reads).toEqual(['u1', 'u1', 'nobody', 'nobody']);
  });

  it('given more users than it keeps, then it starts over rather than grow', async () => {
    const { reads, load } = counting({ a: 'a', b: 'b', c: 'c' });
    const cache = new UserCache(load, 5_000, 2);
    await cache.get('a');
    await cache.get('b');
    await cache.get('c');
    await cache.get('a');
    expect(reads).toEqual(['a', 'b', 'c', 'a']);
  });
});
