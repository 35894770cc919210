'use client';

import { useId, useMemo, useState } from 'react';
import { DIAGNOSIS_DECISIONS, type DiagnosisDecision, type SessionEvent } from '@/lib/audit/events';
import { formatClock, sessionClock } from '@/lib/display/clock';
import { evidenceEntries } from '@/lib/display/evidence';
import type { DiagnosisChoices } from '@/lib/scenario/types';
import { ApiError, api } from '@/app/_lib/api';

type Outcome = { ok: boolean; text: string } | null;
type DiagnosisEvent = Extract<SessionEvent, { kind: 'diagnosis' }>;
type UpdateEvent = Extract<SessionEvent, { kind: 'update' }>;

/** What the learner already sent, as logged: the diagnosis that counts (the last) and every update. */
export interface Submitted {
  diagnosis: DiagnosisEvent | null;
  updates: UpdateEvent[];
}

export function submittedInput(events: readonly SessionEvent[]): Submitted {
  const diagnoses = events.filter((e): e is DiagnosisEvent => e.kind === 'diagnosis');
  return { diagnosis: diagnoses.at(-1) ?? null, updates: events.filter((e): e is UpdateEvent => e.kind === 'update') };
}

/** The learner's diagnosis (cause, culprit, evidence from their own timeline, decision) and update. */
export function DiagnosisForm({
  sessionId,
  spec,
  events,
  submitted,
  zero,
  onSubmitted,
  parts = { diagnosis: true, update: true },
}: {
  sessionId: string;
  spec: DiagnosisChoices;
  /** Which forms to show: in a team session the commander diagnoses, the scribe writes updates. */
  parts?: { diagnosis: boolean; update: boolean };
  events: SessionEvent[];
  /** Already sent: the form starts from the last diagnosis (a reload loses nothing). */
  submitted: Submitted;
  /** The session clock's zero (lib/display/clock.ts). */
  zero: number | null;
  onSubmitted: () => void;
}) {
  const ids = useId();
  const last = submitted.diagnosis;
  const [category, setCategory] = useState(last?.category ?? '');
  const [culprit, setCulprit] = useState(last?.culprit ?? '');
  const [evidence, setEvidence] = useState<number[]>(last?.evidence ?? []);
  const [decision, setDecision] = useState<DiagnosisDecision>(last?.decision ?? 'fix-in-place');
  const [reason, setReason] = useState(last?.reason ?? '');
  const at = (t: number) => formatClock(sessionClock(t, zero));
  const [update, setUpdate] = useState('');
  const [busy, setBusy] = useState<null | 'diagnosis' | 'update'>(null);
  const [diagnosisOutcome, setDiagnosisOutcome] = useState<Outcome>(null);
  const [updateOutcome, setUpdateOutcome] = useState<Outcome>(null);
  // Typed command lines, newest first, their Docker calls folded underneath (lib/display/evidence.ts).
  const candidates = useMemo(() => evidenceEntries(events).slice(0, 100), [events]);

  async function post(path: 'diagnosis' | 'update', body: unknown, done: string, set: (o: Outcome) => void) {
    set(null);
    setBusy(path);
    try {
      await api(`/api/sessions/${sessionId}/${path}`, { method: 'POST', body });
      set({ ok: true, text: done });
      onSubmitted();
    } catch (err) {
      set({ ok: false, text: err instanceof ApiError ? err.message : `Not sent: ${(err as Error).message}` });
    } finally {
      setBusy(null);
    }
  }

  const outcome = (o: Outcome, testid: string) =>
    o && (
      <p className={o.ok ? 'notice ok' : 'notice error'} role={o.ok ? 'status' : 'alert'} data-testid={testid}>
        {o.text}
      </p>
    );

  return (
    <section aria-label="Diagnosis" className="diagnosis">
      {parts.diagnosis && (
        <>
          <h2>Diagnosis</h2>
          <p className="lead small">What broke, which process or thing is to blame, what showed it, and what you decided. You can resubmit; the last one counts.</p>
          {last && (
            <p className="notice ok" data-testid="diagnosis-submitted">
              Submitted at <span className="mono">{at(last.t)}</span>: {spec.categories.find((c) => c.id === last.category)?.label ?? last.category}. The form below holds it; change
              anything and submit again if you need to.
            </p>
          )}
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void post('diagnosis', { category, culprit, evidence, decision, reason }, 'Diagnosis recorded. You can resubmit; the last one counts.', setDiagnosisOutcome);
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
              <input value={culprit} onChange={(e) => setCulprit(e.target.value)} required maxLength={200} autoComplete="off" spellCheck={false} />
            </label>
            <fieldset>
              <legend>Evidence: which of your own steps showed it?</legend>
              {candidates.length === 0 ? (
                <p className="lead small">Nothing yet: the commands you type appear here as you work, newest first.</p>
              ) : (
                <ul className="evidence" aria-describedby={`${ids}-evidence-count`} data-testid="evidence-picker">
                  {candidates.map((e) => (
                    <li key={e.id} data-evidence={e.id}>
                      <label>
                        <input
                          type="checkbox"
                          checked={evidence.includes(e.id)}
                          onChange={(ev) => setEvidence((old) => (ev.target.checked ? [...old, e.id] : old.filter((x) => x !== e.id)))}
                        />
                        <span className="mono t">{at(e.t)}</span> {e.inside && <span className="lead small">in {e.inside}: </span>}
                        <span className="mono">{e.text}</span>
                      </label>
                      {e.calls.length > 0 && (
                        <details className="lead small">
                          <summary>
                            {e.calls.length} Docker call{e.calls.length === 1 ? '' : 's'}
                          </summary>
                          <ul>
                            {e.calls.map((c) => (
                              <li key={c.id} className="mono">
                                {c.text}
                              </li>
                            ))}
                          </ul>
                        </details>
                      )}
                    </li>
                  ))}
                </ul>
              )}
              <p className="lead small" id={`${ids}-evidence-count`} style={{ margin: '6px 0 0' }}>
                {evidence.length === 0 ? 'None selected.' : `${evidence.length} selected.`}
              </p>
            </fieldset>
            <fieldset>
              <legend>Decision</legend>
              {DIAGNOSIS_DECISIONS.map((d) => (
                <label key={d} className="inline">
                  <input type="radio" name={`${ids}-decision`} value={d} checked={decision === d} onChange={() => setDecision(d)} /> {d.replaceAll('-', ' ')}
                </label>
              ))}
            </fieldset>
            <label>
              Why this decision?
              <input value={reason} onChange={(e) => setReason(e.target.value)} required minLength={3} maxLength={1000} />
            </label>
            <button type="submit" disabled={busy !== null}>
              {busy === 'diagnosis' ? 'Submitting…' : 'Submit diagnosis'}
            </button>
            {outcome(diagnosisOutcome, 'diagnosis-result')}
          </form>
        </>
      )}

      {parts.update && (
        <>
          <h2>Stakeholder update</h2>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void post('update', { text: update }, 'Update sent. You can send another; the last one counts.', setUpdateOutcome);
            }}
          >
            <label>
              What would you post in the incident channel? Impact, cause, what you did, what happens next.
              <textarea value={update} onChange={(e) => setUpdate(e.target.value)} rows={5} required minLength={10} maxLength={2000} />
            </label>
            <button type="submit" disabled={busy !== null}>
              {busy === 'update' ? 'Sending…' : 'Send update'}
            </button>
            {outcome(updateOutcome, 'update-result')}
          </form>
        </>
      )}
      {submitted.updates.length > 0 && (
        <>
          <h3>Updates sent</h3>
          <ol className="sent" data-testid="updates-sent">
            {submitted.updates.map((u) => (
              <li key={u.id}>
                <span className="mono t">{at(u.t)}</span> <span className="text">{u.text}</span>
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
