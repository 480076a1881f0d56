import { describe, expect, it } from 'vitest';
import { generatePassword } from './password';
import { passwordProblem } from './password-policy';

describe('password policy', () => {
  it('refuses what the red team got accepted: common, short and blank passwords', () => {
    expect(passwordProblem('password')).toBe('kata sandi minimal 10 karakter');
    expect(passwordProblem('12345678')).toBe('kata sandi minimal 10 karakter');
    expect(passwordProblem('        ')).toBe('kata sandi minimal 10 karakter');
    expect(passwordProblem('          ')).toBe('kata sandi tidak boleh hanya spasi');
  });

  it('refuses long but guessable ones, saying why in Indonesian', () => {
    expect(passwordProblem('1234567890')).toMatch(/^kata sandi terlalu mudah ditebak \(ini adalah kata sandi yang sering digunakan\)/);
    expect(passwordProblem('password123')).toMatch(/kata sandi yang umum digunakan/);
    expect(passwordProblem('qwertyuiop')).toMatch(/terlalu mudah ditebak/);
    expect(passwordProblem('aaaaaaaaaaaa')).toMatch(/karakter yang berulang/);
    expect(passwordProblem('indonesia1945')).toMatch(/terlalu mudah ditebak/);
    expect(passwordProblem('kesbangpol2024')).toMatch(/terlalu mudah ditebak/);
  });

  it('refuses a password built on the username', () => {
    expect(passwordProblem('simatahari01', { username: 'op.simatahari' })).toMatch(/terlalu mudah ditebak/);
    expect(passwordProblem('simatahari01', { username: 'someone' })).toBeUndefined();
  });

  it('accepts passphrases and generated passwords, whatever the role', () => {
    for (const ok of ['Uji-Sandi-Kuat-2024', 'kopi-hujan-sawit-7', 'admin-rahasia', 'merdeka1945!']) expect(passwordProblem(ok), ok).toBeUndefined();
    for (let i = 0; i < 20; i++) expect(passwordProblem(generatePassword(12))).toBeUndefined();
  });

  it('counts characters, not bytes, after NFC', () => {
    expect(passwordProblem('é'.repeat(9))).toBe('kata sandi minimal 10 karakter');
  });
});
