#!/usr/bin/env node
// Builds the workspaces whose inputs changed since their last build, so that `npm start` on an
// unchanged checkout starts at once (the full build takes about a minute on 2 cores).
// Usage: node scripts/build-changed.mjs [--all] [workspace ...]   (default: every workspace, in order)
// A workspace's inputs are its own files (not dist/ or node_modules/), those of the workspaces it
// builds from, the base tsconfig and the lock file; their hash is kept in <workspace>/dist/.build-inputs
// after a successful build. `--all` builds regardless (what `npm run build` does).
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');

/** Build order, and what each workspace's build reads besides itself. */
const WORKSPACES = {
  contracts: { from: [], skip: ['dist', 'node_modules'] },
  services: { from: ['contracts'], skip: ['dist', 'node_modules', 'election-data'] },
  dashboard: { from: ['contracts'], skip: ['dist', 'node_modules'] },
};
const SHARED = ['tsconfig.base.json', 'package-lock.json', 'scripts/build-changed.mjs'];

function filesOf(dir, skip) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (skip.includes(entry.name)) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesOf(full, []));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

function inputsHash(name) {
  const hash = createHash('sha256');
  const workspaces = [name, ...WORKSPACES[name].from];
  const files = [
    ...workspaces.flatMap((w) => filesOf(join(root, w), WORKSPACES[w].skip)),
    ...SHARED.map((f) => join(root, f)),
  ].sort();
  for (const file of files) {
    hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

const args = process.argv.slice(2);
const all = args.includes('--all');
const asked = args.filter((a) => a !== '--all');
for (const name of asked) if (!(name in WORKSPACES)) throw new Error(`unknown workspace ${name}`);
const names = Object.keys(WORKSPACES).filter((n) => asked.length === 0 || asked.includes(n));

for (const name of names) {
  const stamp = join(root, name, 'dist', '.build-inputs');
  const before = inputsHash(name);
  if (!all && existsSync(stamp) && readFileSync(stamp, 'utf8') === before) {
    console.log(`${name}: up to date, not rebuilt`);
    continue;
  }
  execFileSync('npm', ['run', 'build', '-w', name], { cwd: root, stdio: 'inherit' });
  writeFileSync(stamp, before);
}
