import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contentSecurityPolicy, securityHeaders } from '@/lib/web/headers';

function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name as string, values]));
}

describe('security headers', () => {
  it('allows scripts only with the nonce (plus WebAssembly), never inline or eval in production', () => {
    const csp = directives(contentSecurityPolicy({ nonce: 'abc123==' }));
    const scripts = csp.get('script-src') ?? [];
    assert.ok(scripts.includes("'nonce-abc123=='"));
    assert.ok(scripts.includes("'strict-dynamic'"));
    assert.ok(scripts.includes("'wasm-unsafe-eval'"));
    assert.equal(scripts.includes("'unsafe-inline'"), false);
    assert.equal(scripts.includes("'unsafe-eval'"), false);
    assert.deepEqual(csp.get('frame-ancestors'), ["'none'"]);
    assert.deepEqual(csp.get('object-src'), ["'none'"]);
    assert.deepEqual(csp.get('connect-src'), ["'self'"]);
    assert.deepEqual(csp.get('default-src'), ["'self'"]);
    assert.ok((directives(contentSecurityPolicy({ nonce: 'n', dev: true })).get('script-src') ?? []).includes("'unsafe-eval'"), 'dev mode only');
  });

  it('sets framing, sniffing, referrer and (for the API) caching headers', () => {
    const page = securityHeaders({ nonce: 'n' });
    assert.equal(page['X-Frame-Options'], 'DENY');
    assert.equal(page['X-Content-Type-Options'], 'nosniff');
    assert.equal(page['Referrer-Policy'], 'same-origin');
    assert.equal(page['Cache-Control'], undefined, 'pages keep Next’s own caching headers');
    assert.equal(securityHeaders({ nonce: 'n', api: true })['Cache-Control'], 'no-store');
  });
});
