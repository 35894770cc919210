import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SessionEvent } from '@/lib/audit/events';
import { buildRubric, renderRubricMarkdown, replayAnnotations, rubricItemIds, type RubricOverride } from '@/lib/interviews/rubric';
import type { StoredReport } from '@/lib/scoring/session-report';

const sub = (score: number, notes: string[]) => ({ score, weight: 10, points: score / 10, notes });

// A fixed report (only the fields a rubric reads), as the engine stores it.
const report = {
  sessionId: 'abc123def456',
  readyAt: 2_000,
  total: 61,
  subscores: {
    outcome: sub(50, ['passed: Orders load again', 'failed: No job is left leaking']),
    diagnosis: sub(80, ['Right category.', 'Culprit named.']),
    protocol: sub(55, []),
    communication: sub(50, ['Says what customers see.', 'No next step.']),
  },
  diagnosisGrade: { score: 80, evidence: { revealing: [4], supporting: [3], ignored: [] } },
  updateGrade: { score: 50 },
  protocol: {
    results: [
      { id: 'observe-outside-first', title: 'Look from outside first', weight: 10, status: 'met', points: 10, citations: [3], note: 'docker logs came first.' },
      { id: 'no-state-loss', title: 'Keep the evidence', weight: 15, status: 'broken', points: 7.5, citations: [5], note: 'The api was restarted | before a snapshot.' },
      { id: 'no-secrets', title: 'No secrets printed', weight: 5, status: 'not-applicable', points: 0, citations: [], note: 'Nothing was inspected.' },
    ],
  },
} as unknown as StoredReport;

const ev = (id: number, t: number, body: Record<string, unknown>) => ({ id, t, at: t, sessionId: 'abc123def456', ...body }) as unknown as SessionEvent;
const events = [
  ev(1, 0, { kind: 'lifecycle', status: 'ready' }),
  ev(3, 12_000, { kind: 'docker', action: 'logs', method: 'GET', path: '/containers/api/logs', target: 'api', allowed: true }),
  ev(4, 47_000, { kind: 'typed', where: 'exec', target: 'api', line: 'ps aux', approximate: false }),
  ev(5, 92_000, { kind: 'docker', action: 'restart', method: 'POST', path: '/containers/api/restart', target: 'api', allowed: true }),
];

const overrides = new Map<string, RubricOverride>([
  ['rule:no-state-loss', { status: 'met', reason: 'We agreed on the restart beforehand; the logs were saved.', by: 'fay@example.com', at: '2026-12-06T04:30:00.000Z' }],
]);

const EXPECTED = `# Interview rubric: Cora

- Scenario: leaky-job (seed 00ff00ff00ff)
- Session: abc123def456 — [replay](https://lab.example/sessions/abc123def456/replay?t=0)
- Report total: 61/100 (before any override)

## Recommendation

**Hire** — Calm, methodical, asked before restarting. (fay@example.com, 2026-12-06T04:40:00.000Z)

## Protocol

### ✓ met — Look from outside first

- Report: ✓ met, 10/10 points. docker logs came first.
- Cited moments: [0:10](https://lab.example/sessions/abc123def456/replay?t=10000) \`docker logs api\`

### ✓ met — Keep the evidence

- Report: ✗ broken, 7.5/15 points. The api was restarted \\| before a snapshot.
- Override: ✓ met — We agreed on the restart beforehand; the logs were saved. (fay@example.com, 2026-12-06T04:30:00.000Z)
- Cited moments: [1:30](https://lab.example/sessions/abc123def456/replay?t=90000) \`docker restart api\`

### – not applicable — No secrets printed

- Report: – not applicable, —. Nothing was inspected.

## Diagnosis

### ✓ met — Diagnosis: cause, culprit and evidence

- Report: ✓ met, 80/100. Right category. Culprit named.
- Cited moments: [0:10](https://lab.example/sessions/abc123def456/replay?t=10000) \`docker logs api\`; [0:45](https://lab.example/sessions/abc123def456/replay?t=45000) \`typed in api: ps aux\`

## Communication

### ✗ broken — Communication: the stakeholder update

- Report: ✗ broken, 50/100. Says what customers see. No next step.

## Outcome

### ✗ broken — Outcome: the service is healthy again

- Report: ✗ broken, 50/100. passed: Orders load again; failed: No job is left leaking

## Interviewers’ notes

- [0:05](https://lab.example/sessions/abc123def456/replay?t=5000) Reads the briefing twice. — finn@example.com
- [1:25](https://lab.example/sessions/abc123def456/replay?t=85000) About to restart \\*without\\* a snapshot — fay@example.com
`;

describe('the interview rubric', () => {
  const rubric = buildRubric({
    interview: { id: '0123456789abcdef', candidateName: 'Cora', scenario: 'leaky-job', seed: '00ff00ff00ff' },
    report,
    events,
    overrides,
    recommendation: { value: 'hire', text: 'Calm, methodical, asked before restarting.', by: 'fay@example.com', at: '2026-12-06T04:40:00.000Z' },
    notes: [
      { atMs: 85_000, text: 'About to restart *without* a snapshot', by: 'fay@example.com' },
      { atMs: 5_000, text: 'Reads the briefing twice.', by: 'finn@example.com' },
    ],
  });

  it('has one item per rule, then diagnosis, communication and outcome; an override keeps the original', () => {
    assert.deepEqual(rubric.items.map((i) => i.id), rubricItemIds(report));
    const kept = rubric.items.find((i) => i.id === 'rule:no-state-loss');
    assert.equal(kept?.status, 'broken');
    assert.equal(kept?.override?.status, 'met');
    assert.deepEqual(kept?.citations, [{ eventId: 5, atMs: 90_000, text: 'docker restart api' }]);
  });

  it('renders a fixed rubric to the expected Markdown, links to the replay at each moment', () => {
    assert.equal(renderRubricMarkdown(rubric, 'https://lab.example'), EXPECTED);
  });

  it('puts notes and overrides on the replay: a note at its moment, an override at each moment its item cites', () => {
    const outcome = { ...rubric.items.at(-1)!, override: { status: 'met' as const, reason: 'fixed after time', by: 'finn@example.com', at: 'x' } };
    const marks = replayAnnotations(rubric.notes, [...rubric.items.slice(0, -1), outcome], 300_000);
    assert.deepEqual(
      marks.map((m) => [m.atMs, m.kind]),
      [
        [5_000, 'note'],
        [85_000, 'note'],
        [90_000, 'override'],
        [300_000, 'override'],
      ],
    );
    assert.match(marks[2]!.label, /^override: Keep the evidence → ✓ met \(report: ✗ broken\) — We agreed/);
  });

  it("says when the report capped its total below its parts (restart before looking), and only then", () => {
    const note = 'Capped at 40: "docker restart api" at 0:02 before api had been looked at by name.';
    const build = (cap: unknown, total: number) =>
      buildRubric({ interview: { id: '0123456789abcdef', candidateName: 'Cora', scenario: 'leaky-job', seed: '00ff00ff00ff' }, report: { ...report, total, cap } as unknown as StoredReport, events, overrides: new Map(), recommendation: null, notes: [] });
    const capped = build({ max: 40, note, citations: [5], uncapped: 66 }, 40);
    assert.equal(capped.reportCap, note);
    assert.match(renderRubricMarkdown(capped, 'https://lab.example'), /- Report total: 40\/100 \(before any override\)\n- Capped at 40: "docker restart api" at 0:02/);
    assert.equal(build({ max: 40, note, citations: [5], uncapped: 31 }, 31).reportCap, undefined, 'a sum already under the cap was not lowered by it');
    assert.equal(build(undefined, 61).reportCap, undefined);
  });
});
