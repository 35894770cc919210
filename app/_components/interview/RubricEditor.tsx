'use client';

import { useState, type FormEvent } from 'react';
import { formatClock } from '@/lib/display/clock';
import { RECOMMENDATIONS, RUBRIC_STATUSES, recommendationLabel, statusLabel, type Rubric, type RubricItem } from '@/lib/interviews/rubric';
import { api } from '@/app/_lib/api';
import { ErrorNote } from '@/app/_components/ErrorNote';

const SECTIONS = [
  ['protocol', 'Protocol'],
  ['diagnosis', 'Diagnosis'],
  ['communication', 'Communication'],
  ['outcome', 'Outcome'],
] as const;

/** The rubric after an interview: each item as the report had it, an override with a reason beside it, the recommendation. */
export function RubricEditor({ initial }: { initial: Rubric }) {
  const [rubric, setRubric] = useState(initial);
  const replay = (ms: number) => `/sessions/${rubric.sessionId}/replay?t=${Math.max(0, Math.round(ms))}`;
  const base = `/api/interviews/${rubric.interviewId}/rubric`;
  return (
    <>
      <p className="row" data-testid="rubric-exports">
        <a className="button" href={`${base}?format=pdf`} download data-testid="export-pdf">
          Download PDF
        </a>
        <a className="button secondary" href={`${base}?format=markdown`} download data-testid="export-markdown">
          Download Markdown
        </a>
        <a className="button secondary" href={`${base}?format=json`} download={`sickbay-rubric-${rubric.interviewId}.json`} data-testid="export-json">
          Download JSON
        </a>
      </p>
      <Recommend rubric={rubric} onChange={setRubric} />
      {SECTIONS.map(([key, title]) => (
        <section key={key} className="admin-section">
          <h2>{title}</h2>
          {rubric.items
            .filter((i) => i.section === key)
            .map((item) => (
              <Item key={item.id} item={item} rubric={rubric} replay={replay} onChange={setRubric} />
            ))}
        </section>
      ))}
      <section className="admin-section">
        <h2>Interviewers’ notes</h2>
        {rubric.notes.length === 0 && <p className="muted">No notes.</p>}
        <ul data-testid="rubric-notes">
          {rubric.notes.map((n, k) => (
            <li key={k}>
              <a href={replay(n.atMs)}>{formatClock(n.atMs)}</a> {n.text} <span className="muted">— {n.by}</span>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}

/** A rubric form: POSTs what `body` reads from it to `path`; the answer is the new rubric, a refusal its error. */
function useRubricForm(path: string, onChange: (r: Rubric) => void, body: (data: FormData) => Record<string, string>) {
  const [error, setError] = useState<string | null>(null);
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    setError(null);
    try {
      onChange(await api<Rubric>(path, { method: 'POST', body: body(data) }));
    } catch (err) {
      setError((err as Error).message);
    }
  }
  return { error, submit };
}

function Item({ item, rubric, replay, onChange }: { item: RubricItem; rubric: Rubric; replay: (ms: number) => string; onChange: (r: Rubric) => void }) {
  const { error, submit } = useRubricForm(`/api/interviews/${rubric.interviewId}/rubric/overrides`, onChange, (data) => ({
    item: item.id,
    status: String(data.get('status')),
    reason: String(data.get('reason') ?? ''),
  }));
  const shown = item.override?.status ?? item.status;
  return (
    <article className="panel" data-item={item.id} style={{ marginBottom: 12 }}>
      <h3 className={shown === 'met' ? 'met' : shown === 'broken' ? 'broken' : 'na'}>
        {statusLabel(shown)} — {item.title}
      </h3>
      <p className="small" data-testid="item-original">
        Report: {statusLabel(item.status)}, {item.score}. {item.detail}
      </p>
      {item.override && (
        <p className="small" data-testid="item-override">
          Override: {statusLabel(item.override.status)} — {item.override.reason} <span className="muted">({item.override.by})</span>
        </p>
      )}
      {item.citations.length > 0 && (
        <p className="small">
          Cited:{' '}
          {item.citations.map((c) => (
            <a key={c.eventId} href={replay(c.atMs)} className="mono" style={{ marginRight: 8 }}>
              {formatClock(c.atMs)} {c.text}
            </a>
          ))}
        </p>
      )}
      <form className="row" onSubmit={submit}>
        <select name="status" aria-label={`Override ${item.title}`} defaultValue={item.override?.status ?? item.status}>
          {RUBRIC_STATUSES.map((s) => (
            <option key={s} value={s}>
              {statusLabel(s)}
            </option>
          ))}
        </select>
        <input name="reason" required maxLength={2000} placeholder="why (required)" aria-label={`Reason for overriding ${item.title}`} />
        <button type="submit" className="secondary">
          Override
        </button>
        <ErrorNote error={error} />
      </form>
    </article>
  );
}

function Recommend({ rubric, onChange }: { rubric: Rubric; onChange: (r: Rubric) => void }) {
  const { error, submit } = useRubricForm(`/api/interviews/${rubric.interviewId}/rubric/recommendation`, onChange, (data) => ({
    value: String(data.get('value')),
    text: String(data.get('text') ?? ''),
  }));
  const r = rubric.recommendation;
  return (
    <section className="admin-section">
      <h2>Recommendation</h2>
      <p data-testid="recommendation">{r ? `${recommendationLabel(r.value)} — ${r.text || '(no reason given)'} (${r.by})` : 'No recommendation yet.'}</p>
      <form className="row" onSubmit={submit}>
        <select name="value" aria-label="Recommendation" defaultValue={r?.value ?? 'hire'}>
          {RECOMMENDATIONS.map((v) => (
            <option key={v} value={v}>
              {recommendationLabel(v)}
            </option>
          ))}
        </select>
        <input name="text" maxLength={4000} placeholder="why" aria-label="Why this recommendation" />
        <button type="submit">Recommend</button>
        <ErrorNote error={error} />
      </form>
    </section>
  );
}
