/** Resident memory of a process and of everything it started (the docker CLIs behind terminals). */
import fs from 'node:fs';

function rssOf(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0; // gone meanwhile
  }
}

function parentOf(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(rest[1]);
  } catch {
    return null;
  }
}

export interface TreeRss {
  selfBytes: number;
  descendantsBytes: number;
  descendants: number;
}

export function treeRss(root: number): TreeRss {
  const children = new Map<number, number[]>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    const ppid = parentOf(pid);
    if (ppid === null) continue;
    const list = children.get(ppid) ?? [];
    list.push(pid);
    children.set(ppid, list);
  }
  let descendantsBytes = 0;
  let descendants = 0;
  const queue = [...(children.get(root) ?? [])];
  for (let i = 0; i < queue.length && i < 10_000; i++) {
    const pid = queue[i] as number;
    descendantsBytes += rssOf(pid);
    descendants++;
    queue.push(...(children.get(pid) ?? []));
  }
  return { selfBytes: rssOf(root), descendantsBytes, descendants };
}

/** The process's descendants with their command names (e.g. the docker CLIs behind terminals). */
export function descendants(root: number): { pid: number; comm: string }[] {
  const children = new Map<number, number[]>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const ppid = parentOf(Number(name));
    if (ppid === null) continue;
    const list = children.get(ppid) ?? [];
    list.push(Number(name));
    children.set(ppid, list);
  }
  const out: { pid: number; comm: string }[] = [];
  const queue = [...(children.get(root) ?? [])];
  for (let i = 0; i < queue.length && i < 10_000; i++) {
    const pid = queue[i] as number;
    let comm = '?';
    try {
      comm = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      continue; // gone meanwhile
    }
    out.push({ pid, comm });
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** Docker CLI processes under the server: one per open terminal, none once every session ended. */
export function dockerClis(root: number): number {
  return descendants(root).filter((p) => p.comm === 'docker').length;
}
