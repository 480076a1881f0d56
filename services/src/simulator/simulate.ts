#!/usr/bin/env node
import { HELP, parseCommandLine, UsageError } from './cli-options';
import { formatSummary, playElectionDay, type Reporter } from './play-election-day';

/** `npm run simulate -- --help`: plays election day against a running suara (see cli-options.ts). */
async function main(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseCommandLine(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`${e.message}\n\n${HELP}\n`);
    return 2;
  }
  if (parsed.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const { options } = parsed;
  // With --json, stdout carries only the summary line; everything else goes to stderr.
  const out = (line: string) => (options.json ? process.stderr : process.stdout).write(`${line}\n`);
  const reporter: Reporter = {
    info: out,
    warn: (line) => process.stderr.write(`${line}\n`),
    progress: (line) => { if (!options.quiet) out(line); },
  };
  try {
    const summary = await playElectionDay(options, reporter);
    for (const line of formatSummary(summary)) out(line);
    if (options.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    return summary.problems.length === 0 ? 0 : 1;
  } catch (e) {
    process.stderr.write(`simulate: ${(e as Error).message}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
