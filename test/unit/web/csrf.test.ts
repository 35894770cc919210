import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { csrfVerdict, type CsrfRequest } from '@/lib/web/csrf';

const ours = (origin: string) => origin === 'http://127.0.0.1:3000';
const verdict = (req: CsrfRequest) => csrfVerdict(req, ours);

describe('csrfVerdict', () => {
  it('lets safe methods through whatever their headers say', () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS', 'get']) {
      assert.deepEqual(verdict({ method, origin: 'http://evil.example', fetchSite: 'cross-site' }), { allow: true, via: 'safe-method' });
    }
  });

  it('accepts our own pages', () => {
    assert.deepEqual(verdict({ method: 'POST', origin: 'http://127.0.0.1:3000', fetchSite: 'same-origin' }), { allow: true, via: 'same-origin' });
    assert.deepEqual(verdict({ method: 'DELETE', origin: 'http://127.0.0.1:3000' }), { allow: true, via: 'same-origin' }, 'a browser without Sec-Fetch-*');
    assert.deepEqual(verdict({ method: 'POST', fetchSite: 'same-origin' }), { allow: true, via: 'same-origin' });
  });

  it('accepts a client that is not a browser (no Origin, no Sec-Fetch-Site), and says so', () => {
    assert.deepEqual(verdict({ method: 'POST' }), { allow: true, via: 'no-browser' });
    assert.deepEqual(verdict({ method: 'DELETE' }), { allow: true, via: 'no-browser' });
  });

  it('refuses every state-changing method from another origin or site', () => {
    const cases: CsrfRequest[] = [
      { method: 'POST', origin: 'http://evil.example' },
      { method: 'POST', origin: 'http://evil.example', fetchSite: 'cross-site' },
      { method: 'POST', fetchSite: 'cross-site' },
      { method: 'POST', fetchSite: 'same-site' }, // another port of the same host
      { method: 'POST', fetchSite: 'none' },
      { method: 'POST', origin: 'null' }, // sandboxed frames, cross-site redirects, file://
      { method: 'POST', origin: 'http://127.0.0.1:3000', fetchSite: 'cross-site' },
      { method: 'POST', origin: 'http://localhost:4000' },
      { method: 'PUT', origin: 'http://evil.example' },
      { method: 'PATCH', origin: 'http://evil.example' },
      { method: 'DELETE', origin: 'http://evil.example' },
      { method: 'PROPFIND', origin: 'http://evil.example' },
      { method: 'delete', fetchSite: 'Cross-Site' },
    ];
    for (const req of cases) {
      const v = verdict(req);
      assert.equal(v.allow, false, JSON.stringify(req));
      assert.match(!v.allow ? v.reason : '', /refused/, JSON.stringify(req));
    }
  });

  it('names the foreign origin or site in the reason, truncated', () => {
    const v = verdict({ method: 'POST', origin: 'http://evil.example' });
    assert.match(!v.allow ? v.reason : '', /origin "http:\/\/evil\.example"/);
    const w = verdict({ method: 'POST', origin: `http://${'a'.repeat(1000)}.example` });
    assert.ok(!w.allow && w.reason.length < 400);
    const s = verdict({ method: 'POST', fetchSite: 'cross-site' });
    assert.match(!s.allow ? s.reason : '', /Sec-Fetch-Site: cross-site/);
  });
});
