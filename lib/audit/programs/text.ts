/**
 * Reading and filtering text: cat, less, tail -f, grep, sed, awk. What they show follows from
 * the paths they read (./paths.ts); sed -i edits in place, an awk program can run commands.
 */
import { has, parseArgs, values } from '../args';
import { type Draft, type ProgramTable, change, each, fileOp, ro, unknown } from './draft';
import { BIG_TREES, SENSITIVE_NAME, normPath, pathInfo, readPaths } from './paths';

function grepDraft(prog: string, args: string[]): Draft {
  const p = parseArgs(args, { values: ['-e', '--regexp', '-f', '--file', '-m', '--max-count', '-A', '--after-context', '-B', '--before-context', '-C', '--context', '--include', '--exclude', '--exclude-dir', '--color', '--colour', '-d', '--directories', '-D', '--devices', '--label', '-g', '--glob', '-t', '--type', '-T', '--type-not', '-j', '--threads', '--max-depth', '--max-filesize'] });
  const explicit = values(p, '-e', '--regexp');
  const pattern = explicit[0] ?? p.positionals[0] ?? '';
  const files = explicit.length ? p.positionals : p.positionals.slice(1);
  const recursive = has(p, '-r', '-R', '--recursive') || prog === 'rg' || prog === 'ag';
  const heavy = recursive && files.some((f) => normPath(f) === '/' || BIG_TREES.has(normPath(f)));
  const base = files.length ? readPaths(files, `searches ${JSON.stringify(pattern)} in`) : ro(`filters lines matching ${JSON.stringify(pattern)}`);
  const sensitive = SENSITIVE_NAME.test(pattern) && files.some((f) => pathInfo(f).observes.includes('env') || pathInfo(f).secrets);
  return { ...base, flags: { ...base.flags, heavy, secrets: Boolean(base.flags?.secrets) || sensitive } };
}

/** cat, head, tail (-f follows), less and friends. */
function catLike(prog: string, args: string[]): Draft {
  const valueOpts = prog === 'tail' || prog === 'head' ? ['-n', '--lines', '-c', '--bytes', '-s', '--sleep-interval', '--pid', '--max-unchanged-stats'] : prog === 'less' || prog === 'more' ? ['-x', '-y', '-b', '-h', '-j', '-p', '-P', '-t', '-T', '-z'] : [];
  const p = parseArgs(args, { values: valueOpts, numericOptions: true });
  const paths = p.positionals.filter((x) => !x.startsWith('+'));
  const follow = (prog === 'tail' && has(p, '-f', '-F', '--follow', '--retry')) || ((prog === 'less') && args.includes('+F'));
  const verb = prog === 'tail' ? (follow ? 'follows' : 'reads the end of') : prog === 'head' ? 'reads the start of' : prog === 'less' || prog === 'more' || prog === 'most' ? 'pages through' : 'prints';
  return readPaths(paths, verb, { streaming: follow });
}

function sedDraft(_prog: string, args: string[]): Draft {
  const p = parseArgs(args, { values: ['-e', '--expression', '-f', '--file', '-l', '--line-length'] });
  if (has(p, '-i', '--in-place') || args.some((a) => /^-[a-zA-Z]*i/.test(a) && !a.startsWith('--'))) {
    const files = values(p, '-e', '--expression').length ? p.positionals : p.positionals.slice(1);
    return change(`sed -i: edits ${files.join(', ') || 'files'} in place`, { writesFile: true, targeted: true }, [fileOp('edit', files)]);
  }
  return ro('filters text with sed');
}

function awkDraft(_prog: string, args: string[]): Draft {
  const program = args.find((a) => !a.startsWith('-')) ?? '';
  if (/system\s*\(|\|\s*"|print[^;]*>\s*"/.test(program)) return unknown('awk program that runs commands or writes files');
  const files = args.filter((a) => !a.startsWith('-')).slice(1);
  return files.length ? readPaths(files, 'extracts fields from') : ro('extracts fields with awk');
}

export const text: ProgramTable = {
  ...each(['cat', 'tac', 'head', 'tail', 'less', 'more', 'most', 'zcat', 'zless', 'bat', 'batcat'], catLike),
  ...each(['grep', 'egrep', 'fgrep', 'zgrep', 'rg', 'ag', 'ack'], grepDraft),
  sed: sedDraft,
  ...each(['awk', 'gawk', 'mawk', 'nawk'], awkDraft),
};
