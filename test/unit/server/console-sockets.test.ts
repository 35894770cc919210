/** A killed server never detached its proxies: their socket folders go at the next start-up. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '@/server/config';
import { ConsoleManager } from '@/server/engine/console';
import { FakeRuntime } from './fake-runtime';

describe('console manager: stale proxy sockets', () => {
  it('removes the socket folders of sessions that are not live, and keeps the live ones', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-sock-'));
    try {
      const config = loadConfig({ SICKBAY_DATA_DIR: dataDir, SICKBAY_INSTANCE: 'unit-sockets' });
      const consoles = new ConsoleManager(new FakeRuntime(), config, { record: () => {}, touch: () => {} });
      for (const id of ['aaaaaaaaaaaa', 'bbbbbbbbbbbb', 'cccccccccccc']) {
        const sock = consoles.socketPath(id);
        fs.mkdirSync(path.dirname(sock), { recursive: true });
        fs.writeFileSync(sock, ''); // stands in for the socket a killed proxy left
      }
      assert.equal(consoles.removeStaleSockets(new Set(['bbbbbbbbbbbb'])), 2);
      assert.deepEqual(fs.readdirSync(path.join(dataDir, 'run')), ['bbbbbbbbbbbb']);
      assert.equal(consoles.removeStaleSockets(new Set()), 1);
      assert.deepEqual(fs.readdirSync(path.join(dataDir, 'run')), []);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
