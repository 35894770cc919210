/**
 * The data directory's disk fills up under a live session: the server's data dir on a small
 * tmpfs of its own (needs root to mount), filled to the last byte while a learner works.
 * Expected: writes are refused with a clear storage_full error (507) and nothing half-written,
 * what was accepted stays, the terminal keeps working, the server keeps serving; once space
 * is back everything works again (the recording notes what it lost), and the store passes
 * SQLite's integrity check.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { TerminalDriver } from '../verify/terminal-driver';
import { FaultLab } from './lab';

export interface DiskFullResult {
  skipped: string | null;
  /** Updates accepted while the disk filled (all must be in the store at the end). */
  acceptedWhileFilling: number;
  /** The first refusal: status, code and message. */
  refusal: { status: number; code: string; message: string } | null;
  /** POST /api/sessions while full. */
  createWhileFull: { status: number; code: string | null };
  terminalWorkedWhileFull: boolean;
  servedWhileFull: boolean;
  acceptedAfterFree: boolean;
  recordingNotesGap: boolean;
  integrity: string;
  problems: string[];
}

const MIB = 1024 * 1024;

/** Writes a filler file until the disk refuses (bounded by the disk's size). */
function fill(file: string, maxBytes: number): number {
  const fd = fs.openSync(file, 'w');
  const chunk = Buffer.alloc(256 * 1024, 1);
  let written = 0;
  try {
    while (written < maxBytes) written += fs.writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    fs.closeSync(fd);
  }
  return written;
}

export async function diskFull(opts: { sizeMb?: number; log: (l: string) => void }): Promise<DiskFullResult> {
  const result: DiskFullResult = {
    skipped: null,
    acceptedWhileFilling: 0,
    refusal: null,
    createWhileFull: { status: 0, code: null },
    terminalWorkedWhileFull: false,
    servedWhileFull: false,
    acceptedAfterFree: false,
    recordingNotesGap: false,
    integrity: '',
    problems: [],
  };
  if (process.getuid?.() !== 0) return { ...result, skipped: 'mounting a small tmpfs needs root' };
  const size = (opts.sizeMb ?? 96) * MIB;
  const mount = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-faults-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', mount], { stdio: 'pipe' });
  } catch (err) {
    fs.rmSync(mount, { recursive: true, force: true });
    return { ...result, skipped: `cannot mount a tmpfs: ${(err as Error).message.split('\n')[0]}` };
  }
  const dataDir = path.join(mount, 'data');
  const filler = path.join(mount, 'filler');
  let lab: FaultLab | null = null;
  let term: TerminalDriver | null = null;
  try {
    lab = await FaultLab.start({ dataDir });
    const view = await lab.ready((await lab.create('leaky-job', 'disk-full')).id);
    term = new TerminalDriver(lab.url, view.terminal as { path: string; token: string });
    await term.attached(120_000);
    await term.run('docker ps', { timeoutMs: 60_000 });

    opts.log(`filling ${mount} (${size / MIB} MiB)`);
    fill(filler, size);
    const texts: string[] = [];
    for (let i = 0; i < 2000 && !result.refusal; i++) {
      const text = `update ${i} while the disk fills: ${'x'.repeat(1500)}`;
      const res = await lab.api<{ error?: { code: string; message: string } }>('POST', `/api/sessions/${view.id}/update`, { text });
      if (res.status === 201) texts.push(text);
      else result.refusal = { status: res.status, code: res.body.error?.code ?? '?', message: res.body.error?.message ?? JSON.stringify(res.body) };
    }
    result.acceptedWhileFilling = texts.length;
    if (!result.refusal) result.problems.push('the disk never refused a write');
    else {
      if (result.refusal.status !== 507 || result.refusal.code !== 'storage_full') result.problems.push(`a write on a full disk answered ${result.refusal.status} ${result.refusal.code}, not 507 storage_full`);
      if (!/full/.test(result.refusal.message)) result.problems.push(`the refusal does not say the disk is full: ${result.refusal.message}`);
      opts.log(`refused after ${texts.length} accepted update(s): ${result.refusal.status} ${result.refusal.message}`);
    }
    const created = await lab.api<{ error?: { code: string } }>('POST', '/api/sessions', { scenario: 'leaky-job', seed: 'while-full' });
    result.createWhileFull = { status: created.status, code: created.body.error?.code ?? null };
    if (created.status !== 201 && created.status !== 507) result.problems.push(`starting a session on a full disk answered ${created.status}, neither a start nor a clear 507`);
    result.terminalWorkedWhileFull = (await term.run('echo full-$((40+2))', { timeoutMs: 60_000 }).catch(() => '')).includes('full-42');
    if (!result.terminalWorkedWhileFull) result.problems.push('the terminal stopped working on a full disk');
    const reads = [await lab.api('GET', `/api/sessions/${view.id}`), await lab.api('GET', '/api/scenarios'), await lab.api('GET', `/api/sessions/${view.id}/events`)];
    result.servedWhileFull = reads.every((r) => r.status === 200);
    if (!result.servedWhileFull) result.problems.push(`the server stopped serving reads on a full disk: ${reads.map((r) => `${r.status} ${JSON.stringify(r.body).slice(0, 200)}`).join(' | ')}`);

    fs.rmSync(filler);
    opts.log('space is back');
    await new Promise((r) => setTimeout(r, 1_000));
    const after = await lab.api('POST', `/api/sessions/${view.id}/update`, { text: 'space is back and this update is saved' });
    result.acceptedAfterFree = after.status === 201;
    if (!result.acceptedAfterFree) result.problems.push(`a write after space came back answered ${after.status}`);
    await term.run('echo after-free-$((1+1))', { timeoutMs: 60_000 });
    await new Promise((r) => setTimeout(r, 1_000));
    await term.close();
    term = null;
    const ended = await lab.api<{ hasReport?: boolean; status?: string }>('DELETE', `/api/sessions/${view.id}`);
    if (ended.status !== 200 || !ended.body.hasReport) result.problems.push(`ending the session answered ${ended.status} (${ended.body.status}, report ${ended.body.hasReport})`);
    if (created.status === 201) await lab.api('DELETE', `/api/sessions/${(created.body as { id?: string }).id}`);
    const rec = await fetch(`${lab.url}/api/sessions/${view.id}/recording`);
    const cast = rec.status === 200 ? await rec.text() : '';
    result.recordingNotesGap = /bytes of this recording were lost/.test(cast);
    const lines = cast.split('\n').filter(Boolean);
    if (!lines.every((l) => { try { JSON.parse(l); return true; } catch { return false; } })) result.problems.push('the recording has a line that is not JSON');
    if (!cast.includes('after-free-2')) result.problems.push('the recording did not resume once space was back');
    await lab.server.stop();

    const db = new Database(path.join(dataDir, 'sickbay.db'), { readonly: true });
    try {
      result.integrity = (db.pragma('integrity_check', { simple: true }) as string) ?? '?';
      const stored = new Set((db.prepare("SELECT data FROM events WHERE session_id = ? AND kind = 'update'").all(view.id) as { data: string }[]).map((r) => (JSON.parse(r.data) as { text: string }).text));
      const missing = texts.filter((t) => !stored.has(t)).length;
      if (missing) result.problems.push(`${missing} accepted update(s) are not in the store`);
    } finally {
      db.close();
    }
    if (result.integrity !== 'ok') result.problems.push(`integrity_check: ${result.integrity}`);
  } finally {
    await term?.close().catch(() => {});
    await lab?.close().catch(() => {});
    try {
      execFileSync('umount', [mount], { stdio: 'pipe' });
    } catch {
      execFileSync('umount', ['-l', mount], { stdio: 'pipe' });
    }
    fs.rmSync(mount, { recursive: true, force: true });
  }
  return result;
}
