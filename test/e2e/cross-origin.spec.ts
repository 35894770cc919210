import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from './fixtures';

// A malicious web page open in the learner's browser (issue #11 items 2 and 3). Two attackers:
//   - a page on another site (attacker.sickbay.test, served by a tiny server on another port)
//     that tries cross-site requests: a no-cors fetch with text/plain;application/json, form
//     posts, a DELETE, a cross-origin read and a WebSocket to the terminal;
//   - a DNS-rebinding page: a document of origin http://rebind.sickbay.test:PORT whose name
//     now points at 127.0.0.1, so its same-origin requests reach Sickbay with the attacker's
//     Host. (Its script is run by Playwright inside that document. A document served first by
//     a public address, as in a real attack, is also stopped by Chromium's Local Network
//     Access checks; Firefox and Safari have none, so Sickbay must refuse on its own.)
// *.sickbay.test resolves to 127.0.0.1 inside Chromium (playwright.config.ts). Nothing may be
// created or changed, and no terminal token may reach either page.

const base = () => test.info().project.use.baseURL as string;

interface View {
  id: string;
  status: string;
  terminal: { path: string; token: string } | null;
}

async function apiGet<T>(path: string): Promise<T> {
  const res = await fetch(`${base()}${path}`);
  expect(res.status, `GET ${path}`).toBe(200);
  return (await res.json()) as T;
}

let victim: View & { terminal: { path: string; token: string } };
let attacker: http.Server;
let attackerOrigin = '';

test.beforeAll(async () => {
  test.setTimeout(240_000);
  // The learner's own session, started by a script (no Origin): the target of the attacks.
  const res = await fetch(`${base()}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scenario: 'leaky-job' }) });
  expect(res.status).toBe(201);
  const { id } = (await res.json()) as View;
  await expect
    .poll(async () => (await apiGet<View>(`/api/sessions/${id}`)).status, { timeout: 180_000, message: 'the victim session becomes ready' })
    .toBe('ready');
  const view = await apiGet<View>(`/api/sessions/${id}`);
  expect(view.terminal).not.toBeNull();
  victim = view as typeof victim;

  attacker = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>cute cats</title><h1>cute cats</h1>'));
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  attackerOrigin = `http://attacker.sickbay.test:${(attacker.address() as AddressInfo).port}`;
});

test.afterAll(async () => {
  await new Promise<void>((resolve) => (attacker ? attacker.close(() => resolve()) : resolve()));
  if (victim) await fetch(`${base()}/api/sessions/${victim.id}`, { method: 'DELETE' });
});

/** What the attacks changed: the session list, hints, goal checks, terminal opens, status. */
async function snapshot() {
  const { sessions } = await apiGet<{ sessions: { id: string }[] }>('/api/sessions');
  const { events } = await apiGet<{ events: { kind: string; action?: string }[] }>(`/api/sessions/${victim.id}/events`);
  const { hints } = await apiGet<{ hints: string[] }>(`/api/sessions/${victim.id}/hints`);
  const { status } = await apiGet<View>(`/api/sessions/${victim.id}`);
  return {
    sessions: sessions.map((s) => s.id).sort(),
    hints: hints.length,
    goalChecks: events.filter((e) => e.kind === 'goals').length,
    terminalOpens: events.filter((e) => e.kind === 'terminal' && e.action === 'open').length,
    status,
  };
}

/** In the page: open a WebSocket and tell whether it opened. */
function tryWebSocket(url: string): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => resolve('timeout'), 15_000);
    ws.onopen = () => {
      clearTimeout(timer);
      ws.close();
      resolve('open');
    };
    ws.onerror = () => {
      clearTimeout(timer);
      resolve('refused');
    };
  });
}

test('a page on another site can neither create, change nor end a session, nor open its terminal', async ({ page, cspViolations }) => {
  const before = await snapshot();
  const target = base();
  await page.goto(`${attackerOrigin}/`);
  await expect(page.getByRole('heading', { name: 'cute cats' })).toBeVisible();

  const results = await page.evaluate(
    async ({ target, id, token, terminalPath }) => {
      const out: Record<string, string> = {};
      const attempt = async (name: string, fn: () => Promise<string>) => {
        try {
          out[name] = await fn();
        } catch (err) {
          out[name] = `error: ${(err as Error).name}`;
        }
      };
      // A "simple" request needs no preflight: text/plain whose parameter says JSON.
      await attempt('no-cors create', async () => {
        const res = await fetch(`${target}/api/sessions`, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain;application/json' }, body: '{"scenario":"leaky-job"}' });
        return res.type;
      });
      await attempt('no-cors hint', async () => (await fetch(`${target}/api/sessions/${id}/hints`, { method: 'POST', mode: 'no-cors' })).type);
      // Classic form posts into a hidden frame: body-less ones, and the text/plain JSON trick.
      const post = (action: string, fields: Record<string, string> = {}, enctype = 'application/x-www-form-urlencoded') =>
        new Promise<string>((resolve) => {
          const name = `f${Math.random().toString(36).slice(2)}`;
          const frame = document.createElement('iframe');
          frame.name = name;
          frame.style.display = 'none';
          frame.onload = () => resolve('sent');
          document.body.append(frame);
          const form = document.createElement('form');
          form.method = 'POST';
          form.action = action;
          form.target = name;
          form.enctype = enctype;
          for (const [k, v] of Object.entries(fields)) {
            const input = document.createElement('input');
            input.type = 'hidden';
            input.name = k;
            input.value = v;
            form.append(input);
          }
          document.body.append(form);
          form.submit();
          setTimeout(() => resolve('no load event'), 10_000);
        });
      await attempt('form create', () => post(`${target}/api/sessions`, { '{"scenario":"leaky-job","seed":"a': '"}' }, 'text/plain'));
      await attempt('form hint', () => post(`${target}/api/sessions/${id}/hints`));
      await attempt('form check', () => post(`${target}/api/sessions/${id}/check`));
      // Not simple: the preflight gets no CORS answer, so the DELETE is never sent.
      await attempt('cors delete', async () => String((await fetch(`${target}/api/sessions/${id}`, { method: 'DELETE' })).status));
      // Reading the list (tokens) across origins.
      await attempt('cors read', async () => (await (await fetch(`${target}/api/sessions`)).text()).slice(0, 2000));
      await attempt('no-cors read', async () => {
        const res = await fetch(`${target}/api/sessions`, { mode: 'no-cors' });
        return `${res.type}:${(await res.text()).length}`;
      });
      // The terminal, with the real token (as if it had leaked): the Origin is not ours.
      await attempt('terminal', () =>
        new Promise((resolve) => {
          const ws = new WebSocket(`${target.replace('http', 'ws')}${terminalPath}?token=${token}`);
          const timer = setTimeout(() => resolve('timeout'), 15_000);
          ws.onopen = () => (clearTimeout(timer), ws.close(), resolve('open'));
          ws.onerror = () => (clearTimeout(timer), resolve('refused'));
        }),
      );
      return out;
    },
    { target, id: victim.id, token: victim.terminal.token, terminalPath: victim.terminal.path },
  );

  // First what matters: nothing was created or changed, and no token reached the page.
  const after = await snapshot();
  expect(after, `nothing changed (attempts: ${JSON.stringify(results)})`).toEqual(before);
  expect(JSON.stringify(results)).not.toContain(victim.terminal.token);
  // Then how each attempt ended.
  expect(results['cors read']).toMatch(/^error/); // no CORS headers: the page cannot read
  // Cross-Origin-Resource-Policy: even an opaque (unreadable) answer is withheld.
  expect(results['no-cors read']).toMatch(/^error/);
  expect(results['cors delete']).toMatch(/^error/);
  expect(results.terminal).toBe('refused');
  // The form posts' answers were not even shown in the attacker's frames (frame-ancestors):
  // those are the only CSP reports, and they are the attacker page's, not ours.
  const reports = cspViolations.splice(0);
  expect(reports.length).toBeGreaterThan(0);
  for (const r of reports) expect(r).toMatch(/frame-ancestors 'none'/);
  expect(after.status).toBe('ready');
});

test('a DNS-rebinding page reads no session list and opens no terminal', async ({ page }) => {
  const before = await snapshot();
  const port = new URL(base()).port;
  const rebound = `http://rebind.sickbay.test:${port}`;
  // A document of the attacker's origin whose name now resolves to 127.0.0.1: even loading it
  // is refused, and the script below runs in it as the attacker's would.
  const landing = await page.goto(`${rebound}/`);

  const read = await page.evaluate(async () => {
    const res = await fetch('/api/sessions');
    return { status: res.status, text: await res.text() };
  });
  // Same-origin from the page's point of view, so no Origin check would stop it: the Host does.
  const create = await page.evaluate(async () => (await fetch('/api/sessions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"scenario":"leaky-job"}' })).status);
  // Even with the real token (had it leaked), the terminal does not open under the attacker's name.
  const terminal = await page.evaluate(tryWebSocket, `ws://rebind.sickbay.test:${port}${victim.terminal.path}?token=${victim.terminal.token}`);

  // First what matters: no token and no session id read, nothing created or changed.
  expect(read.text).not.toContain(victim.terminal.token);
  expect(read.text).not.toContain(victim.id);
  expect(await snapshot()).toEqual(before);
  expect(terminal).toBe('refused');
  // Every one of these requests was answered 421.
  expect(landing?.status()).toBe(421);
  expect(read.status).toBe(421);
  expect(read.text).toContain('misdirected request');
  expect(create).toBe(421);
});
