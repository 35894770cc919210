/**
 * A recording survives a kill -9 of the server losing at most the last second: a child
 * process records an event every 50 ms and is killed; the file must be valid asciicast up to
 * its last line and reach to within a second of the kill.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sickbay-reckill-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const CHILD = `
import { RecordingWriter } from '@/server/terminal/recording';
const w = new RecordingWriter({ path: process.argv[2] as string, cols: 80, rows: 24 });
setInterval(() => w.output('at=' + Date.now() + '\\r\\n'), 50);
process.stdout.write('ready\\n');
`;

describe('recording and kill -9', () => {
  it('keeps everything but the last second', async () => {
    const file = path.join(dir, 'killed.cast');
    const script = path.join(dir, 'child.ts');
    fs.writeFileSync(script, CHILD);
    const child = spawn(process.execPath, ['--import', 'tsx', script, file], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    await new Promise((r) => setTimeout(r, 1500));
    const killedAt = Date.now();
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    const lines = fs.readFileSync(file, 'utf8').split('\n');
    assert.equal(lines.pop(), '', 'the file ends with a complete line');
    assert.equal((JSON.parse(lines[0] as string) as { version: number }).version, 2);
    const stamps = lines.slice(1).flatMap((l) => [...(JSON.parse(l) as [number, string, string])[2].matchAll(/at=(\d+)/g)].map((m) => Number(m[1])));
    assert.ok(stamps.length > 10, `events were written while running (${stamps.length})`);
    const lost = killedAt - Math.max(...stamps);
    assert.ok(lost < 1000, `the last recorded event is ${lost} ms older than the kill`);
  });
});
