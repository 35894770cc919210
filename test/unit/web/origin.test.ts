import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hostAllowed, originAllowed, parsePublicUrl, webAllowlist } from '@/lib/web/origin';
import { misdirectedMessage, screenRequest, screenUpgrade } from '@/lib/web/screen';

const local = webAllowlist({ port: 3000 });
const team = webAllowlist({ port: 3000, publicUrl: parsePublicUrl('https://Lab.Example.com/') });

describe('web allowlist', () => {
  it('accepts the loopback names with the serving port, and nothing else', () => {
    for (const host of ['127.0.0.1:3000', 'localhost:3000', '[::1]:3000', 'LOCALHOST:3000']) assert.ok(hostAllowed(host, local), host);
    for (const host of [
      undefined,
      '',
      '127.0.0.1',
      'localhost',
      '127.0.0.1:3001',
      'localhost:30000',
      'evil.example:3000',
      'localhost.evil.example:3000',
      '127.0.0.1.nip.io:3000',
      '127.0.0.2:3000',
      '0.0.0.0:3000',
      '[::ffff:127.0.0.1]:3000',
      'localhost.:3000',
      '127.0.0.1:3000, evil.example',
    ]) {
      assert.equal(hostAllowed(host, local), false, String(host));
    }
  });

  it('omits the default port, as browsers do', () => {
    const p80 = webAllowlist({ port: 80 });
    assert.ok(hostAllowed('localhost', p80));
    assert.ok(hostAllowed('localhost:80', p80));
    assert.ok(originAllowed('http://localhost', p80));
    assert.equal(originAllowed('http://localhost:80', p80), false, 'browsers never serialise the default port');
  });

  it('adds the public URL’s host and origin', () => {
    assert.ok(hostAllowed('lab.example.com', team));
    assert.ok(hostAllowed('lab.example.com:443', team));
    assert.ok(hostAllowed('127.0.0.1:3000', team), 'loopback stays allowed (the reverse proxy may not keep the Host)');
    assert.equal(hostAllowed('lab.example.com:80', team), false);
    assert.equal(hostAllowed('other.example.com', team), false);
    assert.ok(originAllowed('https://lab.example.com', team));
    assert.equal(originAllowed('http://lab.example.com', team), false, 'the scheme must match');
    assert.equal(originAllowed('https://lab.example.com:8443', team), false, 'the port must match');
    assert.equal(local.hosts.has('lab.example.com'), false);
  });

  it('compares Origin exactly, never with the request’s own Host', () => {
    for (const origin of ['http://127.0.0.1:3000', 'http://localhost:3000', 'http://[::1]:3000']) assert.ok(originAllowed(origin, local), origin);
    for (const origin of [
      undefined,
      'null',
      'https://127.0.0.1:3000',
      'http://127.0.0.1:3001',
      'http://127.0.0.1:3000/',
      'http://127.0.0.1:3000.evil.example',
      'http://evil.example:3000',
      'http://127.0.0.1',
      'http://127.0.0.1:3000, http://evil.example',
    ]) {
      assert.equal(originAllowed(origin, local), false, String(origin));
    }
  });

  it('validates SICKBAY_PUBLIC_URL', () => {
    assert.deepEqual(parsePublicUrl('https://lab.example.com'), { origin: 'https://lab.example.com', host: 'lab.example.com' });
    assert.deepEqual(parsePublicUrl('http://10.0.0.5:8080/'), { origin: 'http://10.0.0.5:8080', host: '10.0.0.5:8080' });
    assert.deepEqual(parsePublicUrl('https://lab.example.com:443'), { origin: 'https://lab.example.com', host: 'lab.example.com' });
    const bad: [string, RegExp][] = [
      ['lab.example.com', /absolute URL/],
      ['ftp://lab.example.com', /http:\/\/ or https:\/\//],
      ['javascript:alert(1)', /http:\/\/ or https:\/\//],
      ['https://user:pw@lab.example.com', /user name or password/],
      ['https://lab.example.com/sickbay', /origin only/],
      ['https://lab.example.com/?x=1', /origin only/],
      ['https://lab.example.com/#top', /origin only/],
      ['https://lab.example.com?', /origin only/],
    ];
    for (const [raw, message] of bad) assert.throws(() => parsePublicUrl(raw), (err: Error) => /SICKBAY_PUBLIC_URL/.test(err.message) && message.test(err.message), raw);
  });
});

describe('screenRequest', () => {
  it('answers 421 to a foreign Host, whatever the method or origin', () => {
    for (const method of ['GET', 'POST', 'DELETE']) {
      const d = screenRequest({ method, host: 'rebind.example:3000', origin: 'http://rebind.example:3000', fetchSite: 'same-origin' }, local);
      assert.deepEqual(d, { pass: false, status: 421, message: misdirectedMessage(local) });
    }
    assert.match(misdirectedMessage(local), /SICKBAY_PUBLIC_URL/);
    assert.equal(screenRequest({ method: 'GET' }, local).pass, false, 'no Host at all (HTTP/1.0)');
  });

  it('answers 403 to a state-changing request from another site, and lets ours and scripts through', () => {
    const host = '127.0.0.1:3000';
    assert.deepEqual(screenRequest({ method: 'GET', host, origin: 'http://evil.example' }, local), { pass: true, via: 'safe-method' });
    assert.deepEqual(screenRequest({ method: 'POST', host, origin: 'http://127.0.0.1:3000', fetchSite: 'same-origin' }, local), { pass: true, via: 'same-origin' });
    assert.deepEqual(screenRequest({ method: 'POST', host }, local), { pass: true, via: 'no-browser' });
    const refused = screenRequest({ method: 'DELETE', host, origin: 'http://evil.example' }, local);
    assert.equal(refused.pass, false);
    assert.equal(!refused.pass && refused.status, 403);
  });

  it('checks only the Host on upgrades (the gateway checks their Origin)', () => {
    assert.equal(screenUpgrade({ host: 'localhost:3000' }, local).pass, true);
    const d = screenUpgrade({ host: 'evil.example:3000' }, local);
    assert.equal(!d.pass && d.status, 421);
  });
});
