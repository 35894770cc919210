/**
 * Programs that only read or print, each with its sentence and what it shows. The ones that
 * take files (ls, stat, wc, sort, jq, ...) also show what those files are (./paths.ts).
 */
import type { Observation } from '../classification';
import { type Draft, type ProgramTable, ro } from './draft';
import { isProcessStatePath, listsProcessDescriptors, readPaths } from './paths';

const READ_ONLY_SIMPLE: Record<string, [string, Observation[]]> = {
  pstree: ['shows the process tree', ['processes']],
  free: ['shows memory usage', ['resources']],
  uptime: ['shows load averages', ['resources']],
  w: ['shows load and logged-in users', ['resources']],
  nproc: ['counts CPUs', ['resources']],
  lscpu: ['describes the CPUs', ['resources']],
  lsmem: ['describes memory', ['resources']],
  df: ['shows free disk space', ['disk']],
  lsblk: ['lists block devices', ['disk']],
  findmnt: ['lists mounts', ['disk']],
  blkid: ['lists block devices', ['disk']],
  netstat: ['lists sockets and connections', ['network']],
  arp: ['shows the ARP table', ['network']],
  ls: ['lists files', ['filesystem']],
  tree: ['lists a directory tree', ['filesystem']],
  stat: ['describes files', ['filesystem']],
  file: ['describes files', ['filesystem']],
  readlink: ['resolves a link', ['filesystem']],
  realpath: ['resolves a path', ['filesystem']],
  which: ['finds a program', []],
  whereis: ['finds a program', []],
  type: ['describes a command', []],
  locate: ['searches the file index', ['filesystem']],
  id: ['shows the current user', []],
  whoami: ['shows the current user', []],
  groups: ['shows groups', []],
  hostname: ['shows the hostname', ['config']],
  uname: ['shows the kernel version', ['kernel']],
  date: ['shows the date', []],
  pwd: ['shows the directory', []],
  cd: ['changes directory', []],
  pushd: ['changes directory', []],
  popd: ['changes directory', []],
  printf: ['prints text', []],
  true: ['does nothing', []],
  false: ['does nothing', []],
  ':': ['does nothing', []],
  test: ['tests a condition', []],
  '[': ['tests a condition', []],
  '[[': ['tests a condition', []],
  sleep: ['waits', []],
  seq: ['prints numbers', []],
  history: ['shows command history', []],
  clear: ['clears the screen', []],
  reset: ['resets the terminal', []],
  exit: ['leaves the shell', []],
  logout: ['leaves the shell', []],
  alias: ['defines a shell alias', []],
  unset: ['unsets a shell variable', []],
  unalias: ['removes an alias', []],
  shopt: ['sets a shell option', []],
  jobs: ['lists background jobs', []],
  fg: ['brings a job to the foreground', []],
  bg: ['resumes a job in the background', []],
  wait: ['waits for background jobs', []],
  read: ['reads input', []],
  trap: ['sets a signal handler in the shell', []],
  tty: ['shows the terminal', []],
  stty: ['sets terminal options', []],
  tput: ['queries the terminal', []],
  locale: ['shows locale settings', ['config']],
  man: ['opens a manual page', []],
  help: ['shows shell help', []],
  info: ['opens an info page', []],
  basename: ['strips a path', []],
  dirname: ['strips a path', []],
  bc: ['calculates', []],
  expr: ['calculates', []],
  cal: ['shows a calendar', []],
  ethtool: ['shows interface settings', ['network']],
  pgrep: ['finds processes by name', ['processes']],
  pidof: ['finds the PIDs of a program', ['processes']],
  lsns: ['lists namespaces', ['processes']],
  ulimit: ['shows or sets shell limits', ['config']],
  umask: ['shows the file mode mask', []],
  pg_isready: ['checks that Postgres accepts connections', ['connectivity']],
  iptables_save: ['prints firewall rules', ['firewall']],
  'iptables-save': ['prints firewall rules', ['firewall']],
  'ip6tables-save': ['prints firewall rules', ['firewall']],
  sort: ['sorts lines', []],
  uniq: ['filters repeated lines', []],
  cut: ['cuts columns', []],
  tr: ['translates characters', []],
  jq: ['filters JSON', []],
  yq: ['filters YAML', []],
  column: ['formats columns', []],
  paste: ['joins lines', []],
  join: ['joins files', []],
  fold: ['wraps lines', []],
  fmt: ['formats text', []],
  rev: ['reverses lines', []],
  comm: ['compares sorted files', []],
  nl: ['numbers lines', []],
  numfmt: ['formats numbers', []],
  wc: ['counts lines', []],
  diff: ['compares files', ['filesystem']],
  cmp: ['compares files', ['filesystem']],
  md5sum: ['checksums files', ['filesystem']],
  sha256sum: ['checksums files', ['filesystem']],
  sha1sum: ['checksums files', ['filesystem']],
  base64: ['encodes text', []],
  xxd: ['dumps bytes', ['filesystem']],
  hexdump: ['dumps bytes', ['filesystem']],
  od: ['dumps bytes', ['filesystem']],
  strings: ['prints strings from a file', ['filesystem']],
  lsmod: ['lists kernel modules', ['kernel']],
  lspci: ['lists devices', ['kernel']],
  getconf: ['shows system settings', ['config']],
};


/** Programs whose operands are files worth naming (what they show depends on the file). */
const READS_FILES = new Set(['ls', 'stat', 'file', 'diff', 'cmp', 'md5sum', 'sha256sum', 'sha1sum', 'xxd', 'hexdump', 'od', 'strings', 'wc', 'sort', 'uniq', 'cut', 'jq', 'nl']);

function simpleDraft(prog: string, args: string[]): Draft {
  const [summary, observes] = READ_ONLY_SIMPLE[prog] as [string, Observation[]];
  if (READS_FILES.has(prog)) {
    const paths = args.filter((a) => !a.startsWith('-') && (prog !== 'jq' || a.includes('/')));
    if (paths.length && prog !== 'ls') {
      const d = readPaths(paths, summary.split(' ')[0] ?? 'reads');
      return { ...d, summary: `${summary} (${paths.join(', ')})`, observes: [...new Set([...(d.observes ?? []), ...observes])] };
    }
    // Listing /proc/<pid>/fd is a process's descriptor list: which process holds which file, as lsof shows.
    if (paths.some(isProcessStatePath)) {
      const holders: Observation[] = paths.some(listsProcessDescriptors) ? ['processes'] : [];
      return ro(`${summary} (${paths.join(', ')})`, [...observes, 'process-state', ...holders]);
    }
  }
  return ro(summary, observes);
}

export const simple: ProgramTable = Object.fromEntries(Object.keys(READ_ONLY_SIMPLE).map((name) => [name, simpleDraft]));
