/**
 * getopt-style argument reading shared by the program classifiers: short flags may be
 * combined (-it, -n5), long ones may carry =value, "--" ends options. Each program names the
 * options that take a value; anything else is a boolean flag.
 */

export interface ParsedArgs {
  /** Every option seen, normalised to "-x" or "--name", with its values ("" for flags). */
  opts: Map<string, string[]>;
  positionals: string[];
  /** With stopAtPositional: everything after the first positional (a command to run). */
  rest: string[];
}

export interface ArgSpec {
  /** Options that take a value, e.g. ['-n', '--lines', '-u', '--user']. */
  values?: readonly string[];
  /** Options are only read before the first positional; the rest is a command (docker exec, sudo). */
  stopAtPositional?: boolean;
  /** How many positionals to read before stopping (default 1 with stopAtPositional). */
  positionalsBeforeRest?: number;
  /** Short options may be a number (kill -9, head -20): keep "-9" as an option named "-9". */
  numericOptions?: boolean;
}

export function parseArgs(args: readonly string[], spec: ArgSpec = {}): ParsedArgs {
  const values = new Set(spec.values ?? []);
  const opts = new Map<string, string[]>();
  const positionals: string[] = [];
  const add = (name: string, value: string) => {
    const list = opts.get(name) ?? [];
    list.push(value);
    opts.set(name, list);
  };
  const stopAfter = spec.stopAtPositional ? (spec.positionalsBeforeRest ?? 1) : Infinity;
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i] as string;
    if (positionals.length >= stopAfter) break;
    if (a === '--') {
      i++;
      if (spec.stopAtPositional) {
        while (i < args.length && positionals.length < stopAfter) positionals.push(args[i++] as string);
        break;
      }
      for (; i < args.length; i++) positionals.push(args[i] as string);
      break;
    }
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      if (eq !== -1) {
        add(a.slice(0, eq), a.slice(eq + 1));
        continue;
      }
      if (values.has(a) && i + 1 < args.length) {
        add(a, args[++i] as string);
        continue;
      }
      add(a, '');
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      if (spec.numericOptions && /^-\d+$/.test(a)) {
        add(a, '');
        continue;
      }
      // -abc: flags a, b, c; a value option consumes the rest of the word or the next arg.
      for (let k = 1; k < a.length; k++) {
        const name = `-${a[k]}`;
        if (values.has(name)) {
          const attached = a.slice(k + 1).replace(/^=/, '');
          if (attached !== '') add(name, attached);
          else if (i + 1 < args.length) add(name, args[++i] as string);
          else add(name, '');
          break;
        }
        add(name, '');
      }
      continue;
    }
    positionals.push(a);
  }
  return { opts, positionals, rest: args.slice(i) };
}

export function has(p: ParsedArgs, ...names: string[]): boolean {
  return names.some((n) => p.opts.has(n));
}

/** The last value given for any of the names. */
export function value(p: ParsedArgs, ...names: string[]): string | undefined {
  let found: string | undefined;
  for (const n of names) {
    const list = p.opts.get(n);
    if (list && list.length > 0) found = list[list.length - 1];
  }
  return found;
}

export function values(p: ParsedArgs, ...names: string[]): string[] {
  return names.flatMap((n) => p.opts.get(n) ?? []);
}
