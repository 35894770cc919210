/**
 * npm run scenario:verify -- [<slug> ...] [--seeds N | --seed S ...] [--only reference|reckless]
 *                            [--server URL] [--data-dir DIR] [--verbose]
 *
 * Runs each scenario's solutions/reference.sh and solutions/reckless.sh in real sessions, typed
 * into the session's console (scripts/verify/verify.ts says what is checked; docs/scenarios.md,
 * "Verifying a scenario", how to write the scripts). Prints a table; exits 1 when a run fails.
 * `npm run scenario:verify` builds missing or changed images first (scripts/images.mjs).
 */
import fs from 'node:fs';
import path from 'node:path';
import { HttpLab, InProcessLab, ROOT, type Lab } from './verify/lab';
import { ALL_KINDS, DEFAULT_EXPECTATIONS, formatResults, SOLUTION_KINDS, verifyScenarios, type SolutionKind } from './verify/verify';
import { FAIRNESS_KINDS } from './verify/fairness';

const USAGE = `usage: npm run scenario:verify -- [<slug> ...] [options]

  <slug>              scenarios to verify (default: all)
  --seeds N           seeds verify-1 .. verify-N (default 3)
  --seed S            this seed (repeatable; replaces --seeds)
  --only KIND         only this kind of run (repeatable): reference, reckless, or one of the
                      fairness corpus: alternative, nothing, restart-first, guess (guess needs
                      reference too)
  --fairness          also the fairness corpus (alternative, nothing, restart-first, guess)
                      after each seed's reference and reckless runs (scripts/verify/fairness.ts)
  --server URL        use a running Sickbay instead of an in-process lab
  --data-dir DIR      the in-process lab's data dir (default data/verify): keeps the store,
                      reports and recordings; SICKBAY_DATA_DIR=DIR npm start shows them
  --verbose           print every line's output
`;

interface Args {
  slugs: string[];
  seeds: string[];
  only: SolutionKind[] | null;
  fairness: boolean;
  server: string | null;
  dataDir: string;
  verbose: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { slugs: [], seeds: [], only: null, fairness: false, server: null, dataDir: path.join(ROOT, 'data', 'verify'), verbose: false };
  let seedCount = 3;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--help' || a === '-h') {
      process.stdout.write(USAGE);
      process.exit(0);
    } else if (a === '--seeds') {
      seedCount = Number(value());
      if (!Number.isInteger(seedCount) || seedCount < 1 || seedCount > 50) throw new Error('--seeds must be an integer from 1 to 50');
    } else if (a === '--seed') {
      const s = value();
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(s)) throw new Error(`--seed "${s}": 1-64 letters, digits, "-" or "_"`);
      args.seeds.push(s);
    } else if (a === '--only') {
      const k = value() as SolutionKind;
      if (!ALL_KINDS.includes(k)) throw new Error(`--only must be one of ${ALL_KINDS.join(', ')}`);
      args.only = [...(args.only ?? []), k];
    } else if (a === '--fairness') args.fairness = true;
    else if (a === '--server') args.server = value();
    else if (a === '--data-dir') args.dataDir = path.resolve(value());
    else if (a === '--verbose' || a === '-v') args.verbose = true;
    else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
    else args.slugs.push(a);
  }
  if (args.seeds.length === 0) args.seeds = Array.from({ length: seedCount }, (_, i) => `verify-${i + 1}`);
  return args;
}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const transcriptDir = path.join(args.server ? path.join(ROOT, 'data', 'verify') : args.dataDir, 'transcripts', stamp);
  fs.mkdirSync(transcriptDir, { recursive: true });
  const serverLog = fs.createWriteStream(path.join(transcriptDir, 'server.log'));
  const started = Date.now();

  let lab: Lab;
  try {
    lab = args.server
      ? new HttpLab(args.server)
      : await InProcessLab.start({ dataDir: args.dataDir, log: (m) => serverLog.write(`${new Date().toISOString()} ${m}\n`) });
  } catch (err) {
    process.stderr.write(`could not start the lab: ${(err as Error).message}\n`);
    return 1;
  }
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stdout.write('\ninterrupted: ending the live sessions (Ctrl-C again to leave them to the sweeper)\n');
    void lab.close().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  console.log(`scenario:verify on ${lab.description}; seeds ${args.seeds.join(', ')}; transcripts in ${path.relative(process.cwd(), transcriptDir)}`);
  try {
    const results = await verifyScenarios({
      lab,
      scenariosDir: path.join(ROOT, 'scenarios'),
      scenarios: args.slugs.length ? args.slugs : undefined,
      seeds: args.seeds,
      solutions: args.only ?? (args.fairness ? [...SOLUTION_KINDS, ...FAIRNESS_KINDS] : SOLUTION_KINDS),
      verbose: args.verbose,
      transcriptDir,
      log: (line) => console.log(line),
    });
    console.log(`\n${formatResults(results, DEFAULT_EXPECTATIONS)}`);
    console.log(`(${((Date.now() - started) / 1000).toFixed(0)} s in all)`);
    return results.length > 0 && results.every((r) => r.ok) ? 0 : 1;
  } finally {
    await lab.close().catch((err: unknown) => console.error(`closing the lab: ${(err as Error).message}`));
    serverLog.end();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
