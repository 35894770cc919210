import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Rubric } from '@/lib/interviews/rubric';
import { pdfSafe, renderRubricPdf } from '@/server/interviews/rubric-pdf';
import { pdfLinks, pdfText } from '../../pdf-text';

const rubric: Rubric = {
  interviewId: '0123456789abcdef',
  candidateName: 'Cora ✓',
  scenario: 'leaky-job',
  seed: '00ff00ff00ff',
  sessionId: 'abc123def456',
  reportTotal: 61,
  recommendation: { value: 'no-hire', text: 'Restarted first, asked later.', by: 'fay@example.com', at: '2026-12-06T04:40:00.000Z' },
  notes: [{ atMs: 85_000, text: 'About to restart without a snapshot', by: 'finn@example.com' }],
  items: [
    {
      id: 'rule:no-state-loss',
      section: 'protocol',
      title: 'Keep the evidence',
      status: 'broken',
      detail: 'The api was restarted before a snapshot.',
      score: '7.5/15 points',
      citations: [{ eventId: 5, atMs: 90_000, text: 'docker restart api' }],
      override: { status: 'met', reason: 'Agreed with the interviewer beforehand.', by: 'fay@example.com', at: '2026-12-06T04:30:00.000Z' },
    },
    { id: 'outcome', section: 'outcome', title: 'Outcome: the service is healthy again', status: 'met', detail: 'passed: Orders load', score: '100/100', citations: [], override: null },
  ],
};

describe('the rubric as a PDF', () => {
  it('is a PDF with every item, the override beside the original, the recommendation and the notes, linked to the replay', async () => {
    const bytes = await renderRubricPdf(rubric, 'https://lab.example');
    assert.equal(Buffer.from(bytes.subarray(0, 5)).toString('latin1'), '%PDF-');
    const text = pdfText(bytes).join('\n');
    for (const expected of [
      'Interview rubric: Cora ?',
      '[MET] Keep the evidence',
      'Report: BROKEN, 7.5/15 points.',
      'Override: MET — Agreed with the interviewer beforehand.',
      '[MET] Outcome: the service is healthy again',
      'No hire — Restarted first, asked later.',
      'About to restart without a snapshot',
      'docker restart api',
    ]) {
      assert.ok(text.includes(expected), `${expected} in:\n${text}`);
    }
    const links = pdfLinks(bytes);
    assert.ok(links.includes('https://lab.example/sessions/abc123def456/replay?t=90000'), links.join(', '));
    assert.ok(links.includes('https://lab.example/sessions/abc123def456/replay?t=85000'));
  });

  it('keeps to what the standard fonts can show', () => {
    assert.equal(pdfSafe('a ✓ b\n c — “d” é'), 'a ? b c — “d” é');
  });
});
