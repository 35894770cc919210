// Small pure helpers of the bootstrap: progress lines, output tails, DOCKER_HOST, install stamp.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatFailure, SetupError, step } from '../../../scripts/lib/progress.mjs';
import { tailLines } from '../../../scripts/lib/run.mjs';
import { parseDockerHost } from '../../../scripts/lib/engine.mjs';
import { expectedStamp, installReason, STAMP_FILE } from '../../../scripts/lib/deps.mjs';

test('step reports start and success with a duration, and returns the value', async () => {
  const lines = [];
  const value = await step('thing', async () => 42, { write: (l) => lines.push(l) });
  assert.equal(value, 42);
  assert.equal(lines[0], '▶ thing'); // tests do not run on a TTY: no colour codes
  assert.match(lines[1], /^✔ thing \(\d+\.\ds\)$/);
});

test('step reports failure with the first line of the message and rethrows', async () => {
  const lines = [];
  const boom = new Error('it broke\nsecond line');
  await assert.rejects(step('thing', () => { throw boom; }, { write: (l) => lines.push(l) }), boom);
  assert.match(lines.at(-1), /^✖ thing \(\d+\.\ds\): it broke$/);
});

test('step prints heartbeats while a step runs, and stops afterwards', async () => {
  const lines = [];
  const isBeat = (l) => l.startsWith('… slow still running (');
  // The step lasts until two heartbeats came (10 s at most), not a fixed time: on a busy host a
  // timer can fire late, and a 130 ms step once saw a single 40 ms beat.
  const twoBeats = () =>
    new Promise((resolve) => {
      const started = Date.now();
      const poll = setInterval(() => {
        if (lines.filter(isBeat).length >= 2 || Date.now() - started > 10_000) {
          clearInterval(poll);
          resolve();
        }
      }, 5);
    });
  await step('slow', twoBeats, { write: (l) => lines.push(l), heartbeatMs: 40 });
  const beats = lines.filter(isBeat);
  assert.ok(beats.length >= 2, lines.join('\n'));
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(lines.filter((l) => l.startsWith('…')).length, beats.length);
});

test('formatFailure shows message, code, details and hint of a SetupError', () => {
  const text = formatFailure(new SetupError('no engine', { code: 'NO_ENGINE', hint: 'start it', details: 'a\nb' }));
  assert.match(text, /no engine \[NO_ENGINE\]/);
  assert.match(text, /→ start it/);
  assert.match(text, /\n {4}b\n/);
  assert.match(formatFailure(new TypeError('bug')), /Unexpected error[\s\S]*TypeError: bug/);
});

test('tailLines keeps the last lines, without colour codes or progress redraws', () => {
  const text = `${Array.from({ length: 40 }, (_, i) => `l${i}`).join('\n')}\n\x1b[91merr\x1b[0m\n10%\r100%\n\n`;
  const tail = tailLines(text, 3).split('\n');
  assert.deepEqual(tail, ['l39', 'err', '100%']);
});

test('parseDockerHost', () => {
  assert.deepEqual(parseDockerHost(undefined), { socketPath: '/var/run/docker.sock', dockerHost: 'unix:///var/run/docker.sock' });
  assert.equal(parseDockerHost('unix:///run/user/1000/docker.sock').socketPath, '/run/user/1000/docker.sock');
  assert.deepEqual(parseDockerHost('tcp://127.0.0.1:2375'), { host: '127.0.0.1', port: 2375, tls: false, dockerHost: 'tcp://127.0.0.1:2375' });
  assert.equal(parseDockerHost('tcp://docker.local', { tlsVerify: true }).port, 2376);
  assert.equal(parseDockerHost('tcp://[::1]:2375').host, '::1');
  assert.throws(() => parseDockerHost('ssh://me@host'), { code: 'BAD_DOCKER_HOST' });
  assert.throws(() => parseDockerHost('unix://relative.sock'), { code: 'BAD_DOCKER_HOST' });
});

test('install stamp: missing, matching, changed lock, other Node ABI', (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sickbay-deps-'));
  t.after(() => fs.rmSync(root, { recursive: true }));
  fs.writeFileSync(path.join(root, 'package.json'), '{"name":"x"}');
  const noLock = expectedStamp(root, '115');
  assert.equal(noLock.lock, false);
  assert.match(installReason(root, noLock.stamp), /missing/);

  fs.writeFileSync(path.join(root, 'package-lock.json'), '{"lockfileVersion":3}');
  const { stamp, lock } = expectedStamp(root, '115');
  assert.equal(lock, true);
  assert.notEqual(stamp, noLock.stamp);
  fs.mkdirSync(path.join(root, 'node_modules'));
  assert.match(installReason(root, stamp), /no record/);
  fs.writeFileSync(path.join(root, 'node_modules', STAMP_FILE), `${stamp}\n`);
  assert.equal(installReason(root, stamp), null);
  assert.match(installReason(root, expectedStamp(root, '127').stamp), /another Node version/);
  fs.writeFileSync(path.join(root, 'package-lock.json'), '{"lockfileVersion":3,"x":1}');
  assert.match(installReason(root, expectedStamp(root, '115').stamp), /lock file changed/);
});
