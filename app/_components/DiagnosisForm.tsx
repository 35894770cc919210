'use client';

import { useState } from 'react';

export interface DiagnosisSpecView {
  culpritLabel: string;
  categories: { id: string; label: string }[];
}

interface EventLike {
  id: number;
  t: number;
  kind: string;
}

const EVIDENCE_KINDS = new Set(['docker', 'typed']);

function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/** The learner's diagnosis (cause, culprit, evidence from their own timeline, decision) and update. */
export function DiagnosisForm<E extends EventLike>({
  sessionId,
  spec,
  events,
  describe,
  onSubmitted,
}: {
  sessionId: string;
  spec: DiagnosisSpecView;
  events: E[];
  describe: (e: E) => string;
  onSubmitted: () => void;
}) {
  const [category, setCategory] = useState('');
  const [culprit, setCulprit] = useState('');
  const [evidence, setEvidence] = useState<number[]>([]);
  const [decision, setDecision] = useState<'fix-in-place' | 'restart' | 'rollback'>('fix-in-place');
  const [reason, setReason] = useState('');
  const [update, setUpdate] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const candidates = events.filter((e) => EVIDENCE_KINDS.has(e.kind)).slice(-40);

  async function post(path: string, body: unknown, done: string) {
    setMessage(null);
    const res = await fetch(`/api/sessions/${sessionId}/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = (await res.json()) as { error?: { message: string } };
    if (!res.ok) setMessage({ ok: false, text: answer.error?.message ?? `HTTP ${res.status}` });
    else {
      setMessage({ ok: true, text: done });
      onSubmitted();
    }
  }

  return (
    <section aria-label="Diagnosis" className="diagnosis">
      <h2>Diagnosis</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void post('diagnosis', { category, culprit, evidence, decision, reason }, 'Diagnosis recorded. You can resubmit; the last one counts.');
        }}
      >
        <label>
          Root cause
          <select value={category} onChange={(e) => setCategory(e.target.value)} required>
            <option value="">Choose…</option>
            {spec.categories.map((c) => (
              <option key={c.id} value={c.id}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Culprit: {spec.culpritLabel}
          <input value={culprit} onChange={(e) => setCulprit(e.target.value)} required maxLength={200} />
        </label>
        <fieldset>
          <legend>Evidence: which of your own steps showed it?</legend>
          {candidates.length === 0 ? (
            <p className="lead">Nothing yet: your Docker calls and typed commands appear here as you work.</p>
          ) : (
            <ul className="evidence">
              {candidates.map((e) => (
                <li key={e.id}>
                  <label>
                    <input
                      type="checkbox"
                      checked={evidence.includes(e.id)}
                      onChange={(ev) => setEvidence((old) => (ev.target.checked ? [...old, e.id] : old.filter((x) => x !== e.id)))}
                    />{' '}
                    <span className="mono">{clock(e.t)}</span> {describe(e)}
                  </label>
                </li>
              ))}
            </ul>
          )}
        </fieldset>
        <fieldset>
          <legend>Decision</legend>
          {(['fix-in-place', 'restart', 'rollback'] as const).map((d) => (
            <label key={d} className="inline">
              <input type="radio" name="decision" value={d} checked={decision === d} onChange={() => setDecision(d)} /> {d.replaceAll('-', ' ')}
            </label>
          ))}
        </fieldset>
        <label>
          Why this decision?
          <input value={reason} onChange={(e) => setReason(e.target.value)} required minLength={3} maxLength={1000} />
        </label>
        <button type="submit">Submit diagnosis</button>
      </form>

      <h2>Stakeholder update</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void post('update', { text: update }, 'Update sent. You can send another; the last one counts.');
        }}
      >
        <label>
          What would you post in the incident channel? Impact, cause, what you did, what happens next.
          <textarea value={update} onChange={(e) => setUpdate(e.target.value)} rows={4} required minLength={10} maxLength={2000} />
        </label>
        <button type="submit">Send update</button>
      </form>
      {message && (
        <p className={message.ok ? 'lead' : 'error'} role={message.ok ? 'status' : 'alert'}>
          {message.text}
        </p>
      )}
    </section>
  );
}
