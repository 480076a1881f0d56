import { ZxcvbnFactory, type ZxcvbnResult } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as indonesian from '@zxcvbn-ts/language-id';
import { MIN_PASSWORD_LENGTH } from '@suara/contracts';

/**
 * Least zxcvbn score (0–4) a password must reach: 3 is "safely unguessable" (about 10^8 guesses or
 * more), what the estimator's authors advise for accounts that matter. Every role counts: an
 * operator's account enters numbers that reach the kabupaten's recap.
 */
export const MIN_PASSWORD_SCORE = 3;

/** Words that make a password for this service guessable whoever chooses it. */
const SERVICE_WORDS = ['suara', 'kesbangpol', 'labusel', 'labuhanbatu', 'pemilu', 'pilpres', 'pileg', 'quickcount', 'hitungcepat', 'kpu', 'tps', 'operator', 'verifikator'];

let estimator: ZxcvbnFactory | undefined;

/**
 * The estimator with its common-password, English and Indonesian dictionaries and Indonesian
 * feedback. Built on first use (about a second: it indexes the dictionaries), then shared.
 */
function zxcvbn(): ZxcvbnFactory {
  estimator ??= new ZxcvbnFactory({
    graphs: common.adjacencyGraphs,
    dictionary: { ...common.dictionary, ...indonesian.dictionary },
    translations: indonesian.translations,
  });
  return estimator;
}

/** Builds the estimator now (e.g. at start-up) rather than in the first request that needs it. */
export function warmPasswordPolicy(): void {
  zxcvbn();
}

/**
 * Why a password may not be used, in Indonesian, or undefined when it may: at least
 * MIN_PASSWORD_LENGTH characters, not whitespace only, and not guessable (a common password, a
 * keyboard pattern, a repeat, the username…) by zxcvbn's estimate.
 */
export function passwordProblem(password: string, context: { username?: string } = {}): string | undefined {
  const value = password.normalize('NFC');
  if ([...value].length < MIN_PASSWORD_LENGTH) return `kata sandi minimal ${MIN_PASSWORD_LENGTH} karakter`;
  if (value.trim() === '') return 'kata sandi tidak boleh hanya spasi';
  const userInputs = [...SERVICE_WORDS, ...(context.username ? usernameParts(context.username) : [])];
  // zxcvbn's cost grows with length; what is past 100 characters adds nothing a guesser could use.
  const result = zxcvbn().check(value.slice(0, 100), userInputs);
  if (result.score >= MIN_PASSWORD_SCORE) return undefined;
  return `kata sandi terlalu mudah ditebak${feedbackOf(result)}; pakai beberapa kata yang tidak umum, mis. "kopi-hujan-sawit-7"`;
}

function feedbackOf(result: ZxcvbnResult): string {
  const warning = result.feedback.warning;
  return warning ? ` (${warning.replace(/\.$/, '').toLowerCase()})` : '';
}

/** The username and its pieces (`op.simatahari` → op.simatahari, op, simatahari). */
function usernameParts(username: string): string[] {
  const lower = username.toLowerCase();
  return [lower, ...lower.split(/[^a-z0-9]+/).filter((p) => p.length >= 3)];
}
