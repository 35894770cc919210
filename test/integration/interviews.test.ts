/**
 * Interviews against the real server in team mode (issue #13, items 1–2): a facilitator sets
 * one up; the single-use candidate link needs no account and binds the first browser; a second
 * browser is refused; the candidate works in that one session only (terminal, diagnosis, end)
 * and reaches nothing else (404); the interviewers watch it (view, mirror) but never work in it;
 * the candidate's page ends on "submitted" without a score.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { encodeClientMessage } from '@/lib/terminal/protocol';
import { PROMPT_MARKER } from '@/lib/terminal/typed-lines';
import { pdfLinks, pdfText } from '../pdf-text';
import { freePort, removeInstanceObjects, type ServerProcess, startServer, tempDataDir, testInstance, waitFor, wsUpgrade } from './helpers';
import { seedAccounts, signIn } from './accounts-helpers';

const instance = testInstance();
const dataDir = tempDataDir();
const PASSWORD = 'correct horse battery';
let server: ServerProcess;
let base = '';
let port = 0;
const cookies: Record<'ada' | 'fay' | 'finn' | 'bob', string> = { ada: '', fay: '', finn: '', bob: '' };

interface Answer {
  status: number;
  text: string;
  headers: Headers;
}

async function call(method: string, route: string, options: { cookie?: string; body?: unknown; form?: Record<string, string> } = {}): Promise<Answer> {
  const headers: Record<string, string> = { origin: base, 'sec-fetch-site': 'same-origin' };
  if (options.cookie) headers.cookie = options.cookie;
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  } else if (options.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  }
  const res = await fetch(`${base}${route}`, { method, headers, redirect: 'manual', body });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

const json = <T>(a: Answer) => JSON.parse(a.text) as T;

const upgrade = async (route: string, cookie: string) => (await wsUpgrade(port, route, { origin: base, cookie })).status;

before(async () => {
  port = await freePort();
  base = `http://127.0.0.1:${port}`;
  await seedAccounts(dataDir, [
    { email: 'ada@example.com', role: 'admin', password: PASSWORD },
    { email: 'fay@example.com', role: 'facilitator', password: PASSWORD },
    { email: 'finn@example.com', role: 'facilitator', password: PASSWORD },
    { email: 'bob@example.com', role: 'learner', password: PASSWORD },
  ]);
  server = await startServer({ SICKBAY_DATA_DIR: dataDir, SICKBAY_INSTANCE: instance, PORT: String(port) });
  for (const who of ['ada', 'fay', 'finn', 'bob'] as const) cookies[who] = await signIn(base, `${who}@example.com`, PASSWORD);
});

after(async () => {
  await server?.stop('SIGTERM');
  await removeInstanceObjects(instance);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

interface InterviewJson {
  id: string;
  seed: string;
  sessionId: string | null;
  startedAt: string | null;
  watchers: { email: string | null }[];
}

describe('an interview, end to end in team mode', () => {
  let interview: InterviewJson;
  let token = '';
  let candidate = '';
  let sessionId = '';

  it('a facilitator sets it up (random seed by default); a learner may not; bad input is a 400', async () => {
    assert.equal((await call('POST', '/api/interviews', { cookie: cookies.bob, body: { scenario: 'leaky-job', candidateName: 'Cora' } })).status, 403);
    const bad = await call('POST', '/api/interviews', { cookie: cookies.fay, body: { scenario: 'leaky-job', candidateName: 'Cora', timeLimitMin: 1 } });
    assert.equal(bad.status, 400, bad.text);
    const unknown = await call('POST', '/api/interviews', { cookie: cookies.fay, body: { scenario: 'no-such-scenario', candidateName: 'Cora' } });
    assert.equal(unknown.status, 404, unknown.text);
    const made = await call('POST', '/api/interviews', { cookie: cookies.fay, body: { scenario: 'leaky-job', candidateName: 'Cora', timeLimitMin: 30 } });
    assert.equal(made.status, 201, made.text);
    const body = json<{ interview: InterviewJson; link: string }>(made);
    interview = body.interview;
    assert.match(interview.seed, /^[0-9a-f]{12}$/);
    assert.equal(interview.sessionId, null);
    const link = new URL(body.link);
    assert.equal(link.pathname, '/interview/join');
    token = link.searchParams.get('token') ?? '';
    const again = json<{ interview: InterviewJson }>(await call('POST', '/api/interviews', { cookie: cookies.fay, body: { scenario: 'leaky-job', candidateName: 'Dan' } }));
    assert.notEqual(again.interview.seed, interview.seed, 'each candidate gets their own culprit');
    assert.equal((await call('GET', `/api/interviews/${interview.id}`, { cookie: cookies.finn })).status, 404, 'another facilitator does not see it');
  });

  it('the link opens signed out and asks before it is used; a signed-in interviewer cannot use it up', async () => {
    const page = await call('GET', `/interview/join?token=${encodeURIComponent(token)}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /Start the interview/);
    const fay = await call('POST', '/api/interviews/join', { cookie: cookies.fay, form: { token } });
    assert.equal(fay.status, 409, fay.text);
  });

  it('the first browser gets the candidate cookie and the session; a second browser is refused', async () => {
    const first = await call('POST', '/api/interviews/join', { form: { token } });
    assert.equal(first.status, 303, first.text);
    assert.equal(first.headers.get('location'), '/interview');
    const set = first.headers.getSetCookie().find((c) => c.startsWith('sickbay-candidate='));
    assert.ok(set, 'a candidate cookie');
    assert.match(set, /HttpOnly/);
    candidate = set.split(';')[0] as string;

    const second = await call('POST', '/api/interviews/join', { form: { token } });
    assert.equal(second.status, 303);
    assert.match(second.headers.get('location') ?? '', /^\/interview\/join\?token=/);
    assert.equal(second.headers.getSetCookie().length, 0);
    const refusal = await call('GET', `/interview/join?token=${encodeURIComponent(token)}`);
    assert.match(refusal.text, /already opened in another browser/);
    const forged = await call('GET', `/interview/join?token=${encodeURIComponent(`${token.slice(0, -2)}AA`)}`);
    assert.match(forged.text, /not valid/);

    const back = await call('POST', '/api/interviews/join', { cookie: candidate, form: { token } });
    assert.equal(back.status, 303, 'the same browser is let back in');
    assert.equal(back.headers.get('location'), '/interview');

    interview = json<InterviewJson>(await call('GET', `/api/interviews/${interview.id}`, { cookie: cookies.fay }));
    assert.ok(interview.sessionId && interview.startedAt);
    sessionId = interview.sessionId;
  });

  it('the candidate works in that session: its view with the terminal, and the terminal itself', async () => {
    const ready = await waitFor(
      'the candidate session to be ready',
      async () => {
        const s = json<{ status: string; statusDetail: string | null; terminal: { path: string; token: string } | null }>(await call('GET', `/api/sessions/${sessionId}`, { cookie: candidate }));
        if (s.status === 'failed') throw new Error(`provisioning failed: ${s.statusDetail}`);
        return s.status === 'ready' && s.terminal ? s.terminal : null;
      },
      180_000,
      500,
    );
    assert.equal(await upgrade(`${ready.path}?token=${ready.token}`, candidate), 101);
    const page = await call('GET', '/interview', { cookie: candidate });
    assert.equal(page.status, 200);
    assert.match(page.text, /data-testid="interview-countdown"/);
    // The scenario's own briefing talks about scoring; what must be absent is a score or a report link.
    assert.doesNotMatch(page.text, /href="[^"]*\/(report|replay)"|data-testid="(score|report)/);
  });

  it('the candidate reads their own steps only, and reaches nothing else: report, recording, mirror, other routes and pages are 404', async () => {
    const own = await call('GET', `/api/sessions/${sessionId}/events`, { cookie: candidate });
    assert.equal(own.status, 200, own.text);
    const kinds = new Set(json<{ events: { kind: string }[] }>(own).events.map((e) => e.kind));
    assert.ok([...kinds].every((k) => k === 'typed' || k === 'docker'), `only their typed lines and Docker calls: ${[...kinds].join(', ')}`);
    const all = json<{ events: { kind: string }[] }>(await call('GET', `/api/sessions/${sessionId}/events`, { cookie: cookies.fay })).events;
    assert.ok(all.some((e) => e.kind === 'lifecycle'), 'the interviewer sees the whole log');
    const hidden: [string, string][] = [
      ['GET', `/api/sessions/${sessionId}/report`],
      ['GET', `/api/sessions/${sessionId}/recording`],
      ['GET', `/api/sessions/${sessionId}/mirror`],
      ['POST', `/api/sessions/${sessionId}/hints`],
      ['GET', '/api/sessions'],
      ['POST', '/api/sessions'],
      ['GET', '/api/interviews'],
      ['GET', `/api/interviews/${interview.id}`],
      ['GET', '/api/me'],
      ['GET', '/api/progress'],
      ['GET', `/sessions/${sessionId}`],
      ['GET', `/sessions/${sessionId}/report`],
      ['GET', '/'],
      ['GET', '/interviews'],
    ];
    for (const [method, route] of hidden) {
      const res = await call(method, route, { cookie: candidate, body: method === 'POST' ? {} : undefined });
      assert.equal(res.status, 404, `${method} ${route}: ${res.status} ${res.text.slice(0, 200)}`);
    }
    const mirror = json<{ path: string; token: string }>(await call('GET', `/api/sessions/${sessionId}/mirror`, { cookie: cookies.fay }));
    assert.equal(await upgrade(`${mirror.path}?token=${mirror.token}`, candidate), 404);
  });

  it('the interviewers watch it (view and mirror) but never work in it; a learner cannot be added', async () => {
    const view = json<{ terminal: unknown; ownerId: string }>(await call('GET', `/api/sessions/${sessionId}`, { cookie: cookies.fay }));
    assert.equal(view.terminal, null);
    assert.equal((await call('POST', `/api/sessions/${sessionId}/check`, { cookie: cookies.fay })).status, 403);
    assert.equal((await call('GET', `/api/sessions/${sessionId}`, { cookie: cookies.finn })).status, 404, 'not an interviewer yet');
    const learner = await call('POST', `/api/interviews/${interview.id}/watchers`, { cookie: cookies.fay, body: { email: 'bob@example.com' } });
    assert.equal(learner.status, 409, learner.text);
    const added = await call('POST', `/api/interviews/${interview.id}/watchers`, { cookie: cookies.fay, body: { email: 'finn@example.com' } });
    assert.equal(added.status, 201, added.text);
    const mirror = json<{ path: string; token: string }>(await call('GET', `/api/sessions/${sessionId}/mirror`, { cookie: cookies.finn }));
    assert.equal(await upgrade(`${mirror.path}?token=${mirror.token}`, cookies.finn), 101);
    assert.equal((await call('GET', `/api/sessions/${sessionId}`, { cookie: cookies.bob })).status, 404);
    const listed = json<{ interviews: InterviewJson[] }>(await call('GET', '/api/interviews', { cookie: cookies.finn }));
    assert.deepEqual(listed.interviews.map((i) => i.id), [interview.id]);
    assert.equal((await call('GET', '/interviews', { cookie: cookies.fay })).status, 200);
  });

  it('the interviewers follow a live, risk-tagged timeline of what the candidate types; the candidate cannot reach it', async () => {
    const view = json<{ terminal: { path: string; token: string } }>(await call('GET', `/api/sessions/${sessionId}`, { cookie: candidate }));
    const ws = new WebSocket(`${base.replace('http', 'ws')}${view.terminal.path}?token=${view.terminal.token}`, { origin: base, headers: { cookie: candidate } });
    let output = '';
    let attached = false;
    ws.on('message', (data, binary) => {
      if (binary) output += (data as Buffer).toString('utf8');
      else if (/"type":"attached"/.test(data.toString())) attached = true;
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    try {
      // Type only once the shell shows its prompt (input before that would be read by nobody).
      await waitFor('the candidate terminal’s prompt', async () => attached && output.includes(PROMPT_MARKER), 60_000, 100);
      ws.send(encodeClientMessage({ type: 'input', data: 'docker logs --tail 5 api\r' }));
      interface Live {
        entries: { id: number; text: string; source: string; tag: { tier: string; label: string; icon: string } }[];
        lastId: number;
        budgets: { name: string; budgetMs: number; atMs: number | null }[];
        elapsedMs: number | null;
      }
      const seen = await waitFor(
        'the typed docker logs in the live timeline',
        async () => {
          const live = json<Live>(await call('GET', `/api/sessions/${sessionId}/live`, { cookie: cookies.fay }));
          return live.entries.some((e) => e.source === 'console' && /docker logs --tail 5 api/.test(e.text)) ? live : null;
        },
        60_000,
        500,
      );
      const typed = seen.entries.find((e) => e.source === 'console' && /docker logs/.test(e.text));
      assert.equal(typed?.tag.tier, 'external');
      assert.equal(typed?.tag.label, 'look from outside');
      assert.ok(seen.elapsedMs !== null && seen.elapsedMs >= 0);
      assert.deepEqual(seen.budgets.map((b) => b.name), ['outside health check', 'logs and resource usage', 'look inside']);
      assert.ok((seen.budgets[0]?.atMs ?? -1) >= 0, 'the outside look reached the first milestone');
      const later = json<Live>(await call('GET', `/api/sessions/${sessionId}/live?after=${seen.lastId}`, { cookie: cookies.finn }));
      assert.ok(later.entries.every((e) => e.id > seen.lastId), 'after= cuts what was already seen');
    } finally {
      ws.close();
    }
    assert.equal((await call('GET', `/api/sessions/${sessionId}/live`, { cookie: candidate })).status, 404);
    assert.equal((await call('GET', `/api/sessions/${sessionId}/live?after=x`, { cookie: cookies.fay })).status, 400);
    assert.equal((await call('GET', `/api/sessions/${sessionId}/live`, { cookie: cookies.bob })).status, 404);
    const page = await call('GET', `/interviews/${interview.id}`, { cookie: cookies.fay });
    assert.equal(page.status, 200);
    assert.equal((await call('GET', `/interviews/${interview.id}`, { cookie: candidate })).status, 404);
  });

  it('interviewers pin private notes to the session clock and read each other’s; the candidate gets 404', async () => {
    const added = await call('POST', `/api/interviews/${interview.id}/notes`, { cookie: cookies.fay, body: { text: '  reads the logs before touching anything  ' } });
    assert.equal(added.status, 201, added.text);
    const note = json<{ id: number; atMs: number; text: string; author: { email: string } }>(added);
    assert.equal(note.text, 'reads the logs before touching anything');
    assert.equal(note.author.email, 'fay@example.com');
    assert.ok(note.atMs > 0, 'pinned after ready');
    const early = json<{ atMs: number }>(await call('POST', `/api/interviews/${interview.id}/notes`, { cookie: cookies.finn, body: { text: 'asked about the SLA', atMs: 0 } }));
    assert.equal(early.atMs, 0);
    const future = json<{ atMs: number }>(await call('POST', `/api/interviews/${interview.id}/notes`, { cookie: cookies.finn, body: { text: 'too late', atMs: 80_000_000 } }));
    assert.ok(future.atMs < 80_000_000, 'never pinned after now');
    const listed = json<{ notes: { text: string; atMs: number }[] }>(await call('GET', `/api/interviews/${interview.id}/notes`, { cookie: cookies.fay }));
    assert.deepEqual(listed.notes.map((n) => n.text), ['asked about the SLA', 'reads the logs before touching anything', 'too late']);
    for (const [method, body] of [['GET', undefined], ['POST', { text: 'hi' }]] as const) {
      assert.equal((await call(method, `/api/interviews/${interview.id}/notes`, { cookie: candidate, body })).status, 404, `${method} as the candidate`);
    }
    assert.equal((await call('POST', `/api/interviews/${interview.id}/notes`, { cookie: cookies.fay, body: { text: '   ' } })).status, 400);
    assert.equal((await call('POST', `/api/interviews/${interview.id}/notes`, { cookie: cookies.fay, body: { text: 'x', extra: 1 } })).status, 400);
    assert.equal((await call('GET', `/api/interviews/${interview.id}/notes`, { cookie: cookies.bob })).status, 403);
    const notYet = json<{ interview: InterviewJson }>(await call('POST', '/api/interviews', { cookie: cookies.fay, body: { scenario: 'leaky-job', candidateName: 'Eve' } }));
    assert.equal((await call('POST', `/api/interviews/${notYet.interview.id}/notes`, { cookie: cookies.fay, body: { text: 'early' } })).status, 409);
    assert.equal((await call('GET', `/api/interviews/${interview.id}/rubric`, { cookie: cookies.fay })).status, 409, 'no rubric while the interview runs');
  });

  it('the candidate diagnoses, submits and finishes; the page says "submitted", the interviewer gets the report', async () => {
    const diagnosis = await call('POST', `/api/sessions/${sessionId}/diagnosis`, {
      cookie: candidate,
      body: { category: 'runaway-process', culprit: 'worker', decision: 'restart', reason: 'memory grows until the limit and the job never frees it' },
    });
    assert.ok(diagnosis.status === 200 || diagnosis.status === 201, diagnosis.text);
    const ended = await call('DELETE', `/api/sessions/${sessionId}`, { cookie: candidate });
    assert.equal(ended.status, 200, ended.text);
    await waitFor('the session to be over', async () => json<{ status: string }>(await call('GET', `/api/sessions/${sessionId}`, { cookie: candidate })).status === 'ended', 120_000, 500);
    const page = await call('GET', '/interview', { cookie: candidate });
    assert.match(page.text, /data-testid="interview-submitted"/);
    assert.equal((await call('GET', `/api/sessions/${sessionId}/report`, { cookie: candidate })).status, 404);
    const report = await call('GET', `/api/sessions/${sessionId}/report`, { cookie: cookies.fay });
    assert.equal(report.status, 200, report.text.slice(0, 200));
  });

  it('the rubric: pre-filled from the report, overrides keep the original, a recommendation; exports as JSON, Markdown and PDF; never for the candidate', async () => {
    interface Item {
      id: string;
      title: string;
      status: string;
      citations: { atMs: number }[];
      override: { status: string; reason: string; by: string } | null;
    }
    interface RubricJson {
      sessionId: string;
      items: Item[];
      notes: { text: string }[];
      recommendation: { value: string; text: string } | null;
    }
    const first = json<RubricJson>(await call('GET', `/api/interviews/${interview.id}/rubric`, { cookie: cookies.fay }));
    assert.equal(first.sessionId, sessionId);
    const ids = first.items.map((i) => i.id);
    assert.ok(ids.filter((i) => i.startsWith('rule:')).length >= 5, ids.join(', '));
    assert.deepEqual(ids.slice(-3), ['diagnosis', 'communication', 'outcome']);
    const rule = first.items[0] as Item;
    const flipped = rule.status === 'met' ? 'broken' : 'met';
    const overridden = await call('POST', `/api/interviews/${interview.id}/rubric/overrides`, {
      cookie: cookies.finn,
      body: { item: rule.id, status: flipped, reason: 'Talked it through with us first' },
    });
    assert.equal(overridden.status, 201, overridden.text);
    const after = json<RubricJson>(overridden).items.find((i) => i.id === rule.id);
    assert.equal(after?.status, rule.status, 'the original stays');
    assert.deepEqual(after?.override && [after.override.status, after.override.reason, after.override.by], [flipped, 'Talked it through with us first', 'finn@example.com']);
    assert.equal((await call('POST', `/api/interviews/${interview.id}/rubric/overrides`, { cookie: cookies.fay, body: { item: 'rule:nope', status: 'met', reason: 'x' } })).status, 404);
    assert.equal((await call('POST', `/api/interviews/${interview.id}/rubric/overrides`, { cookie: cookies.fay, body: { item: rule.id, status: 'met', reason: ' ' } })).status, 400);
    assert.equal((await call('POST', `/api/interviews/${interview.id}/rubric/overrides`, { cookie: cookies.fay, body: { item: rule.id, status: 'great', reason: 'x' } })).status, 400);
    const recommended = await call('POST', `/api/interviews/${interview.id}/rubric/recommendation`, { cookie: cookies.fay, body: { value: 'hire', text: 'Careful and clear' } });
    assert.equal(recommended.status, 201, recommended.text);

    const md = await call('GET', `/api/interviews/${interview.id}/rubric?format=markdown`, { cookie: cookies.fay });
    assert.equal(md.status, 200);
    assert.match(md.headers.get('content-type') ?? '', /^text\/markdown/);
    assert.match(md.headers.get('content-disposition') ?? '', /^attachment; filename="sickbay-rubric-[0-9a-f]{16}\.md"$/);
    const pdf = await fetch(`${base}/api/interviews/${interview.id}/rubric?format=pdf`, { headers: { cookie: cookies.fay } });
    assert.equal(pdf.status, 200);
    assert.equal(pdf.headers.get('content-type'), 'application/pdf');
    const bytes = new Uint8Array(await pdf.arrayBuffer());
    const pdfLines = pdfText(bytes).join(' ');
    const rubric = json<RubricJson>(await call('GET', `/api/interviews/${interview.id}/rubric`, { cookie: cookies.fay }));
    for (const item of rubric.items) {
      assert.ok(md.text.includes(item.title), `${item.title} in the Markdown`);
      assert.ok(pdfLines.includes(item.title), `${item.title} in the PDF`);
    }
    for (const text of ['Talked it through with us first', 'Careful and clear', ...rubric.notes.map((n) => n.text)]) {
      assert.ok(md.text.includes(text), `${text} in the Markdown`);
      assert.ok(pdfLines.includes(text), `${text} in the PDF`);
    }
    const cited = rubric.items.flatMap((i) => i.citations);
    if (cited.length) assert.ok(pdfLinks(bytes).some((l) => l.endsWith(`/sessions/${sessionId}/replay?t=${Math.max(0, Math.round(cited[0]!.atMs))}`)));

    for (const [method, route, body] of [
      ['GET', `/api/interviews/${interview.id}/rubric`, undefined],
      ['GET', `/api/interviews/${interview.id}/rubric?format=pdf`, undefined],
      ['POST', `/api/interviews/${interview.id}/rubric/overrides`, { item: rule.id, status: 'met', reason: 'me' }],
      ['POST', `/api/interviews/${interview.id}/rubric/recommendation`, { value: 'strong-hire', text: 'me' }],
      ['GET', `/interviews/${interview.id}/rubric`, undefined],
    ] as const) {
      assert.equal((await call(method, route, { cookie: candidate, body })).status, 404, `${method} ${route} as the candidate`);
    }
    assert.equal((await call('GET', `/interviews/${interview.id}/rubric`, { cookie: cookies.fay })).status, 200);
    assert.equal((await call('GET', `/api/interviews/${interview.id}/rubric?format=docx`, { cookie: cookies.fay })).status, 400);
  });
});
