import type { ChildProcess } from 'node:child_process';

/** Every private server child of this test process, killed on exit even when a test failed half-way. */
const alive = new Set<ChildProcess>();
let exitHook = false;

export function killOnExit(child: ChildProcess): void {
  alive.add(child);
  child.once('exit', () => alive.delete(child));
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const c of alive) c.kill('SIGKILL');
  });
}
