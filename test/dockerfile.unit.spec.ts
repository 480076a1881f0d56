import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// No Docker engine runs here, so the Dockerfile is kept honest by reading it: the stages, what the
// runtime stage copies, and the production dependency tree npm itself computes for `npm ci --omit=dev`.

const root = resolve(__dirname, '..');

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

/** Instructions per stage: comments dropped, `\` continuations joined. */
function parseDockerfile(text: string): Stage[] {
  const joined = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ');
  const stages: Stage[] = [];
  for (const line of joined.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const [, op, args] = /^(\S+)\s+(.*)$/.exec(line)!;
    const instruction = { op: op!.toUpperCase(), args: args!.replace(/\s+/g, ' ') };
    if (instruction.op === 'FROM') {
      const [from, as, name] = instruction.args.split(' ');
      stages.push({ from: from!, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else {
      expect(stages.length, `${instruction.op} before any FROM`).toBeGreaterThan(0);
      stages.at(-1)!.instructions.push(instruction);
    }
  }
  return stages;
}

const stages = parseDockerfile(readFileSync(resolve(root, 'Dockerfile'), 'utf8'));
const runtime = stages.at(-1)!;
const ops = (stage: Stage, op: string) => stage.instructions.filter((i) => i.op === op).map((i) => i.args);
const stageNamed = (name: string) => stages.find((s) => s.name === name);
/** `COPY --from=x src... dest` → { from, sources, dest }. */
function copyOf(args: string): { from?: string; sources: string[]; dest: string } {
  const words = args.split(' ');
  const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
  const paths = words.filter((w) => !w.startsWith('--'));
  return { from, sources: paths.slice(0, -1), dest: paths.at(-1)! };
}

interface PackageJson {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  engines?: { node?: string };
  workspaces?: string[];
}
const readJson = <T>(path: string): T => JSON.parse(readFileSync(resolve(root, path), 'utf8')) as T;
const rootPkg = readJson<PackageJson>('package.json');
const workspacePkgs = rootPkg.workspaces!.map((w) => readJson<PackageJson>(`${w}/package.json`));

const lock = readJson<{ packages: Record<string, { dev?: boolean }> }>('package-lock.json');

/** Packages that only the build and the tests need: declared as dev, and marked dev-only in the lock file. */
function devOnlyNames(): string[] {
  const declared = [rootPkg, ...workspacePkgs].flatMap((p) => Object.keys(p.devDependencies ?? {}));
  return [...new Set(declared)].filter((n) => lock.packages[`node_modules/${n}`]?.dev === true);
}

describe('Dockerfile', () => {
  it('builds on a supported Node LTS (bookworm-slim) that engines.node names', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const majors = new Set<string>();
    for (const stage of stages) {
      const match = /^node:(22|24)(?:\.[\d.]+)?-bookworm-slim$/.exec(stage.from);
      expect(match, stage.from).not.toBeNull();
      majors.add(match![1]!);
    }
    expect(majors.size, 'every stage on one Node major').toBe(1);
    expect(rootPkg.engines?.node).toMatch(new RegExp(`\\^${[...majors][0]}\\.`));
  });

  it('compiles in a stage with the dev dependencies, and installs only production ones for the runtime', () => {
    const build = stageNamed('build')!;
    expect(ops(build, 'RUN').join('\n')).toMatch(/npm ci(?! [^\n]*--omit=dev)/);
    expect(ops(build, 'RUN').join('\n')).toMatch(/npm run build/);
    const copies = ops(runtime, 'COPY').map(copyOf);
    const modules = copies.filter((c) => c.sources.some((s) => s.includes('node_modules')));
    expect(modules).toHaveLength(1);
    const depsStage = stageNamed(modules[0]!.from!)!;
    expect(ops(depsStage, 'RUN').join('\n')).toMatch(/npm ci --omit=dev/);
    expect(ops(runtime, 'RUN').join('\n')).not.toMatch(/npm (ci|install|i )|npm run build/);
    // From the build stage, only compiled output: no sources, no dev node_modules.
    for (const c of copies.filter((x) => x.from === 'build')) for (const s of c.sources) expect(s, 'copied from build').toMatch(/\/dist$/);
    // From the context, only manifests and data that exist.
    for (const c of copies.filter((x) => x.from === undefined)) {
      for (const s of c.sources) {
        expect(existsSync(resolve(root, s)), s).toBe(true);
        expect(s, 'sources are compiled in the build stage').not.toMatch(/(^|\/)src$|tsconfig/);
      }
    }
  });

  it('ships every workspace the service loads at run time', () => {
    const shipped = ops(runtime, 'COPY').map(copyOf).flatMap((c) => c.sources.map((s) => s.replace(/^\/app\//, '')));
    for (const path of ['contracts/dist', 'services/dist', 'dashboard/dist', 'services/election-data', 'package.json', 'contracts/package.json', 'services/package.json']) {
      expect(shipped, path).toContain(path);
    }
  });

  it('runs as the node user, under tini, with a health check on /health', () => {
    const users = ops(runtime, 'USER');
    expect(users.at(-1)).toBe('node');
    const order = runtime.instructions.map((i) => i.op);
    expect(order.lastIndexOf('USER')).toBeLessThan(order.lastIndexOf('CMD'));
    expect(ops(runtime, 'RUN').join('\n')).toMatch(/apt-get install -y --no-install-recommends tini/);
    expect(ops(runtime, 'ENTRYPOINT')).toEqual(['["/usr/bin/tini", "--"]']);
    expect(ops(runtime, 'CMD').at(-1)).toBe('["node", "services/dist/main.js"]');
    const health = ops(runtime, 'HEALTHCHECK');
    expect(health).toHaveLength(1);
    expect(health[0]).toMatch(/CMD .*\/health/);
  });

  it('keeps the context small: .dockerignore leaves out modules, builds, data and secrets', () => {
    const ignored = readFileSync(resolve(root, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    for (const entry of ['.git', '**/node_modules', '**/dist', 'data', '.env', 'test']) expect(ignored, entry).toContain(entry);
  });
});

describe('the runtime image ships no dev-only package', () => {
  // `npm ls --omit=dev` is the tree `npm ci --omit=dev` installs (the deps stage), from the same lock file.
  const listed = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: root, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 })
    .split('\n')
    .filter((p) => p.includes('node_modules'))
    .map((p) => relative(root, p));

  it('npm ls --omit=dev lists none of the dev-only packages, and none the lock file marks dev', () => {
    expect(listed.length).toBeGreaterThan(50);
    const names = new Set(listed.map((p) => p.slice(p.lastIndexOf('node_modules/') + 'node_modules/'.length)));
    const devOnly = devOnlyNames();
    expect(devOnly).toEqual(expect.arrayContaining(['typescript', 'vitest', 'vite', '@swc/core', 'playwright-core']));
    for (const name of devOnly) expect(names.has(name), name).toBe(false);
    for (const path of listed) expect(lock.packages[path]?.dev, path).not.toBe(true);
  });

  it('the built service requires no package that the runtime stage leaves out', () => {
    // What the build stage removes before the copy (see the Dockerfile).
    const removed = ops(stageNamed('build')!, 'RUN').join(' ').match(/rm -rf ([^&]+)/)![1]!.trim().split(' ');
    const isRemoved = (rel: string) => removed.some((r) => (r.endsWith('*') ? rel.startsWith(r.slice(0, -1)) : rel === r || rel.startsWith(`${r}/`)));
    const devOnly = new Set(devOnlyNames());
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = join(dir, entry.name);
        const rel = relative(root, full);
        if (isRemoved(rel)) continue;
        if (entry.isDirectory()) walk(full);
        else if (entry.name.endsWith('.js')) {
          for (const [, spec] of readFileSync(full, 'utf8').matchAll(/require\(['"]([^'"./][^'"]*)['"]\)/g)) {
            const name = spec!.startsWith('@') ? spec!.split('/').slice(0, 2).join('/') : spec!.split('/')[0]!;
            if (devOnly.has(name)) offenders.push(`${rel} → ${name}`);
          }
        }
      }
    };
    expect(existsSync(resolve(root, 'services/dist/main.js')), 'npm run build first').toBe(true);
    walk(resolve(root, 'services/dist'));
    walk(resolve(root, 'contracts/dist'));
    expect(offenders).toEqual([]);
  });
});
