/**
 * `docker top <c> [ps options]` runs the host's `ps` with the learner's options, then keeps the
 * rows whose "PID" column holds one of the container's pids. Any way to put something other
 * than the real pid under a "PID" header (a rename such as `-o rss=PID`, which Docker's own
 * check misses when written `-orss=PID`, or a long option such as `--format`) turns that filter
 * into a host-wide process list. So the options are parsed into tokens and every token must
 * come from a small allowlist: option letters that select or format rows, and `-o`/`o` with
 * plain field names only. Nothing can rename a column. The forwarded value is rebuilt from the
 * tokens (Docker splits on single spaces).
 */
import { refuse } from './refusal';

/** UNIX-style letters (`-ef`, `-eLf`, `-eo ...`): selection and format switches, no arguments. */
const UNIX_LETTERS = 'eAfFlyjHLTw';
/** BSD-style letters (`aux`, `axjf`, `axo ...`): `e` is left out (it prints environments). */
const BSD_LETTERS = 'auxfwjlv';

/** Plain `-o` field names (their headers are their own names: none renames a column to PID). */
export const PS_FIELDS: readonly string[] = [
  'pid', 'ppid', 'pgid', 'sid', 'tid', 'lwp', 'spid', 'nlwp', 'thcount',
  'uid', 'euid', 'ruid', 'user', 'euser', 'ruser', 'uname', 'gid', 'egid', 'group', 'egroup',
  'comm', 'ucmd', 'ucomm', 'cmd', 'args', 'command',
  '%cpu', 'pcpu', '%mem', 'pmem', 'rss', 'rssize', 'rsz', 'vsz', 'vsize', 'sz', 'size', 'drs', 'trs',
  'stat', 'state', 's', 'tty', 'tt', 'tname',
  'time', 'cputime', 'etime', 'etimes', 'start', 'stime', 'start_time', 'lstart', 'bsdstart',
  'ni', 'nice', 'pri', 'priority', 'psr', 'wchan', 'f', 'flags', 'c', 'class', 'cls', 'rtprio', 'policy',
  'maj_flt', 'min_flt',
];

const MAX_TOKENS = 8;
const MAX_FIELDS = 16;

const ALLOWED_TEXT = `ps options: -e -A -f -F -l -y -j -H -L -T -w (combined, e.g. -ef), BSD aux/ax/axjf..., and -o or o with plain field names (e.g. -eo pid,rss,args); no renames (field=HEADER), widths or long options`;

function checkFields(list: string, token: string): string {
  const fields = list.split(',');
  if (fields.length > MAX_FIELDS) throw refuse(`docker top: at most ${MAX_FIELDS} ps fields`);
  for (const f of fields) {
    if (f.includes('=')) throw refuse(`docker top: renaming a ps column ("${f}" in "${token}") is not allowed; ${ALLOWED_TEXT}`);
    if (!PS_FIELDS.includes(f)) throw refuse(`docker top: ps field "${f}" is not allowed; fields: ${PS_FIELDS.join(',')}`);
  }
  return fields.join(',');
}

function lettersFrom(cluster: string, allowed: string): boolean {
  return cluster.length > 0 && [...cluster].every((ch) => allowed.includes(ch));
}

/**
 * Checks `ps_args` and returns the value to forward, or throws the refusal naming what is
 * allowed. An empty value stays empty (Docker then uses `-ef`).
 */
export function checkPsArgs(value: string): string {
  if (value.trim() === '') return '';
  if (value.length > 128) throw refuse('docker top: ps options longer than 128 characters');
  if (!/^[\x20-\x7e]*$/.test(value)) throw refuse(`docker top: ps options must be printable ASCII; ${ALLOWED_TEXT}`);
  const tokens = value.split(/ +/).filter((t) => t !== '');
  if (tokens.length > MAX_TOKENS) throw refuse(`docker top: at most ${MAX_TOKENS} ps options`);
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    const bad = () => refuse(`docker top: ps option "${token}" is not allowed; ${ALLOWED_TEXT}`);
    if (token.startsWith('--')) throw bad();
    const dashed = token.startsWith('-');
    const body = dashed ? token.slice(1) : token;
    const oAt = body.indexOf('o');
    if (oAt === -1) {
      if (!lettersFrom(body, dashed ? UNIX_LETTERS : BSD_LETTERS)) throw bad();
      out.push(token);
      continue;
    }
    // Letters before "o" are switches; after it (or in the next token) comes the field list.
    const switches = body.slice(0, oAt);
    if (switches !== '' && !lettersFrom(switches, dashed ? UNIX_LETTERS : BSD_LETTERS)) throw bad();
    const attached = body.slice(oAt + 1);
    const prefix = `${dashed ? '-' : ''}${switches}o`;
    if (attached !== '') {
      out.push(prefix, checkFields(attached, token));
      continue;
    }
    const next = tokens[i + 1];
    if (next === undefined || next.startsWith('-')) throw refuse(`docker top: "${token}" needs a field list (e.g. ${prefix} pid,rss,args)`);
    out.push(prefix, checkFields(next, `${token} ${next}`));
    i++;
  }
  return out.join(' ');
}
