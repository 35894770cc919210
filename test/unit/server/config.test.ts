import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '@/server/config';

describe('config', () => {
  it('defaults to loopback, port 3000, ./data and a 2 h idle TTL', () => {
    const c = loadConfig({}, '/srv/sickbay');
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.port, 3000);
    assert.equal(c.dataDir, '/srv/sickbay/data');
    assert.equal(c.scenariosDir, '/srv/sickbay/scenarios');
    assert.equal(c.sessionTtlMs, 2 * 3_600_000);
    assert.match(c.instance, /^[0-9a-f]{12}$/);
  });

  it('derives a stable instance name from the data dir', () => {
    assert.equal(loadConfig({}, '/a').instance, loadConfig({}, '/a').instance);
    assert.notEqual(loadConfig({}, '/a').instance, loadConfig({}, '/b').instance);
  });

  it('reads overrides from the environment', () => {
    const c = loadConfig({ SICKBAY_HOST: '0.0.0.0', PORT: '8080', SICKBAY_SESSION_TTL: '15m', SICKBAY_DATA_DIR: '/var/lib/sickbay', SICKBAY_INSTANCE: 'lab-1' }, '/x');
    assert.deepEqual([c.host, c.port, c.sessionTtlMs, c.dataDir, c.instance], ['0.0.0.0', 8080, 900_000, '/var/lib/sickbay', 'lab-1']);
  });

  it('refuses nonsense with a message naming the variable', () => {
    assert.throws(() => loadConfig({ PORT: 'eighty' }), /PORT must be an integer/);
    assert.throws(() => loadConfig({ SICKBAY_SESSION_TTL: 'forever' }), /invalid duration/);
    assert.throws(() => loadConfig({ SICKBAY_INSTANCE: 'Bad Name' }), /SICKBAY_INSTANCE/);
    assert.throws(() => loadConfig({ SICKBAY_MAX_SESSIONS: '0' }), /SICKBAY_MAX_SESSIONS/);
    assert.throws(() => loadConfig({ SICKBAY_PUBLIC_URL: 'lab.example.com' }), /SICKBAY_PUBLIC_URL must be an absolute URL/);
    assert.throws(() => loadConfig({ SICKBAY_PUBLIC_URL: 'https://lab.example.com/sickbay' }), /SICKBAY_PUBLIC_URL must be an origin only/);
  });

  it('has no public URL unless SICKBAY_PUBLIC_URL sets one', () => {
    assert.equal(loadConfig({}).publicUrl, null);
    assert.deepEqual(loadConfig({ SICKBAY_PUBLIC_URL: 'https://Lab.example.com/' }).publicUrl, { origin: 'https://lab.example.com', host: 'lab.example.com' });
  });
});
