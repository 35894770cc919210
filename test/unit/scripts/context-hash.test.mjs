// The cache key of an image build (scripts/lib/image-plan.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildReason, hashContext, hashFiles, LABELS } from '../../../scripts/lib/images.mjs';

function context(t, files) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sickbay-ctx-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

const FILES = { Dockerfile: 'FROM sickbay/base:bookworm\n', 'app/run.py': 'print(1)\n', 'z.txt': 'z' };

test('the same files give the same hash wherever and in whatever order they were written', (t) => {
  const a = context(t, FILES);
  const b = context(t, Object.fromEntries(Object.entries(FILES).reverse()));
  assert.equal(hashFiles(a), hashFiles(b));
  assert.match(hashFiles(a), /^[0-9a-f]{64}$/);
});

test('content, names, new files, empty dirs, the exec bit and symlink targets all change it', (t) => {
  const dir = context(t, FILES);
  const seen = new Set([hashFiles(dir)]);
  const changed = (what) => {
    const h = hashFiles(dir);
    assert.ok(!seen.has(h), `${what} did not change the hash`);
    seen.add(h);
  };
  fs.writeFileSync(path.join(dir, 'app/run.py'), 'print(2)\n');
  changed('content');
  fs.renameSync(path.join(dir, 'z.txt'), path.join(dir, 'y.txt'));
  changed('rename');
  fs.writeFileSync(path.join(dir, 'new.txt'), '');
  changed('new empty file');
  fs.mkdirSync(path.join(dir, 'empty'));
  changed('empty directory');
  fs.chmodSync(path.join(dir, 'app/run.py'), 0o755);
  changed('exec bit');
  fs.symlinkSync('app/run.py', path.join(dir, 'link'));
  changed('symlink');
  fs.rmSync(path.join(dir, 'link'));
  fs.symlinkSync('y.txt', path.join(dir, 'link'));
  changed('symlink target');
});

test('field boundaries are unambiguous', (t) => {
  const a = context(t, { ab: 'c' });
  const b = context(t, { a: 'bc' });
  assert.notEqual(hashFiles(a), hashFiles(b));
});

test('a new parent image ID changes the context hash but not the files hash', (t) => {
  const dir = context(t, FILES);
  const one = hashContext(dir, { 'sickbay/base:bookworm': 'sha256:111' });
  const two = hashContext(dir, { 'sickbay/base:bookworm': 'sha256:222' });
  assert.equal(one.filesHash, two.filesHash);
  assert.notEqual(one.contextHash, two.contextHash);
  assert.deepEqual(hashContext(dir, { 'sickbay/base:bookworm': 'sha256:111' }), one);
});

test('buildReason explains why a build runs, or returns null when up to date', () => {
  const hashes = { contextHash: 'c1', filesHash: 'f1' };
  const labels = (c, f) => ({ [LABELS.contextHash]: c, [LABELS.filesHash]: f });
  assert.equal(buildReason(labels('c1', 'f1'), hashes), null);
  assert.equal(buildReason(labels('c1', 'f1'), hashes, true), 'forced');
  assert.equal(buildReason(null, hashes), 'not built yet');
  assert.equal(buildReason({}, hashes), 'not built by sickbay');
  assert.equal(buildReason(labels('c0', 'f1'), hashes), 'a parent image changed');
  assert.equal(buildReason(labels('c0', 'f0'), hashes), 'context changed');
});
