import { describe, expect, it } from 'vitest';
import { burnPasswordCheck, generatePassword, hashPassword, verifyPassword } from './password';

describe('password hashing (scrypt)', () => {
  it('encodes the algorithm, parameters, a 16-byte salt and the hash', async () => {
    const encoded = await hashPassword('rahasia-desa-01');
    const [alg, N, r, p, salt, hash] = encoded.split('$');
    expect([alg, N, r, p]).toEqual(['scrypt', '16384', '8', '1']);
    expect(Buffer.from(salt, 'base64')).toHaveLength(16);
    expect(Buffer.from(hash, 'base64').length).toBeGreaterThanOrEqual(32);
  });

  it('verifies the right password and rejects a wrong one', async () => {
    const encoded = await hashPassword('rahasia-desa-01');
    expect(await verifyPassword('rahasia-desa-01', encoded)).toBe(true);
    expect(await verifyPassword('rahasia-desa-02', encoded)).toBe(false);
    expect(await verifyPassword('', encoded)).toBe(false);
  });

  it('salts: the same password hashes differently each time', async () => {
    const [a, b] = await Promise.all([hashPassword('sama'), hashPassword('sama')]);
    expect(a).not.toBe(b);
    expect(await verifyPassword('sama', a)).toBe(true);
    expect(await verifyPassword('sama', b)).toBe(true);
  });

  it('treats unicode in its NFC form, so the same password typed on another keyboard matches', async () => {
    const encoded = await hashPassword('kat\u00e9');
    expect(await verifyPassword('kate\u0301', encoded)).toBe(true);
  });

  it('never matches a malformed or oversized stored hash', async () => {
    const good = await hashPassword('x');
    const parts = good.split('$');
    for (const bad of [
      '',
      'plain',
      'bcrypt$16384$8$1$' + parts[4] + '$' + parts[5],
      ['scrypt', '1000', '8', '1', parts[4], parts[5]].join('$'), // N not a power of two
      ['scrypt', String(1 << 20), '8', '1', parts[4], parts[5]].join('$'), // 1 GiB of memory
      ['scrypt', '16384', '8', '1', '', parts[5]].join('$'),
      ['scrypt', '16384', '8', '1', parts[4], 'c2hvcnQ='].join('$'),
    ]) {
      expect(await verifyPassword('x', bad)).toBe(false);
    }
  });

  it('burnPasswordCheck does the work of a check and is always false', async () => {
    expect(await burnPasswordCheck('anything')).toBe(false);
  });

  it('generates passwords of the asked length from an unambiguous alphabet', () => {
    const pw = generatePassword(16);
    expect(pw).toHaveLength(16);
    expect(pw).toMatch(/^[a-km-zA-HJ-NP-Z2-9]+$/);
    expect(new Set(Array.from({ length: 50 }, () => generatePassword())).size).toBe(50);
    expect(() => generatePassword(4)).toThrow(RangeError);
  });
});
