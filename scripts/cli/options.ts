/**
 * Command-line options for the TypeScript tools (soak, faults): node:util's parseArgs in strict
 * mode (unknown options and missing values are errors), `--help` printing the usage, and the
 * range checks every tool needs. An error message names the option; `argsOrUsage` prints it with
 * the usage and the tool exits 2.
 */
import { parseArgs } from 'node:util';

export type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;
type Values = Record<string, string | boolean | undefined>;

/** The parsed options, or the usage printed and the process ended for --help / -h. */
export function readOptions(argv: string[], spec: OptionSpec, usage: string): Values {
  const { values } = parseArgs({ args: argv, options: { ...spec, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  return values as Values;
}

/** An integer option within [min, max], or the fallback when it is absent. */
export function intOption(values: Values, name: string, min: number, max: number, fallback: number): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer from ${min} to ${max}`);
  return n;
}

/** A comma-separated list option (blank items dropped), or null when it is absent. */
export function listOption(values: Values, name: string): string[] | null {
  const raw = values[name];
  if (typeof raw !== 'string') return null;
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The tool's arguments, or null after printing why they are wrong and the usage (the tool exits 2). */
export function argsOrUsage<T>(parse: (argv: string[]) => T, argv: string[], usage: string): T | null {
  try {
    return parse(argv);
  } catch (err) {
    console.error(`${(err as Error).message}\n${usage}`);
    return null;
  }
}

/** A progress line printer: `[tool HH:MM:SS] line` (UTC). */
export function toolLog(tool: string): (line: string) => void {
  return (line) => console.log(`[${tool} ${new Date().toISOString().slice(11, 19)}] ${line}`);
}
