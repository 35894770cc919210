import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { isInside, openRecording } from '@/server/terminal/recording-file';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sickbay-recfile-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

async function read(file: string): Promise<string | null> {
  const r = await openRecording(file, root);
  if (!r) return null;
  const text = await new Response(r.stream).text();
  assert.equal(Buffer.byteLength(text), r.size);
  return text;
}

describe('serving a recording', () => {
  it('serves complete lines only (a live recording may end mid-event)', async () => {
    const f = path.join(root, 'live.cast');
    fs.writeFileSync(f, '{"version":2,"width":80,"height":24,"timestamp":1}\n[0.1,"o","a"]\n[0.2,"o","tor');
    assert.equal(await read(f), '{"version":2,"width":80,"height":24,"timestamp":1}\n[0.1,"o","a"]\n');
  });

  it('finds the last newline more than one read back', async () => {
    const f = path.join(root, 'long.cast');
    const head = '{"version":2,"width":80,"height":24,"timestamp":1}\n';
    fs.writeFileSync(f, head + 'x'.repeat(200 * 1024));
    assert.equal(await read(f), head);
  });

  it('refuses paths outside the data directory, symlinks, directories and missing or empty files', async () => {
    assert.equal(isInside(root, path.join(root, 'a', 'b.cast')), true);
    assert.equal(isInside(root, path.join(root, '..', 'x.cast')), false);
    assert.equal(isInside(root, root), false);
    assert.equal(await read('/etc/passwd'), null);
    const link = path.join(root, 'link.cast');
    fs.symlinkSync('/etc/hostname', link);
    assert.equal(await read(link), null);
    fs.mkdirSync(path.join(root, 'dir.cast'));
    assert.equal(await read(path.join(root, 'dir.cast')), null);
    assert.equal(await read(path.join(root, 'missing.cast')), null);
    fs.writeFileSync(path.join(root, 'empty.cast'), '');
    assert.equal(await read(path.join(root, 'empty.cast')), null);
  });
});
