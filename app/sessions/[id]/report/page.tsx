import fs from 'node:fs';
import path from 'node:path';
import { compileMDX } from 'next-mdx-remote/rsc';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import type { SessionEvent } from '@/lib/audit/events';
import { isSickbayError } from '@/lib/errors';
import { services } from '@/server/registry';

export const dynamic = 'force-dynamic';

function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

function describe(e: SessionEvent | undefined): string {
  if (!e) return 'an event';
  switch (e.kind) {
    case 'docker':
      return `docker ${e.action}${e.target ? ` ${e.target}` : ''}${e.command ? `: ${e.command.join(' ')}` : ''}`;
    case 'typed':
      return e.line;
    case 'diagnosis':
      return `diagnosis (${e.category})`;
    case 'update':
      return 'stakeholder update';
    case 'goals':
      return `goal check ${e.passed}/${e.total}`;
    default:
      return e.kind;
  }
}

/** The session report: scores, every rule with the moments it cites, the truth and the debrief. */
export default async function ReportPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { engine, store, catalogue } = services();
  let report;
  try {
    report = engine.report(/^[0-9a-f]{12}$/.test(id) ? id : '-');
  } catch (err) {
    if (isSickbayError(err) && (err.code === 'not_found' || err.code === 'conflict')) notFound();
    throw err;
  }
  const events = new Map(store.listEvents(id).map((e) => [e.id, e]));
  const entry = catalogue.has(report.scenario) ? catalogue.get(report.scenario) : null;
  const debriefFile = entry ? path.join(entry.dir, 'debrief.mdx') : null;
  const debrief =
    debriefFile && fs.existsSync(debriefFile)
      ? (await compileMDX({ source: fs.readFileSync(debriefFile, 'utf8'), options: { blockJS: true } })).content
      : null;
  const cite = (ids: number[]) =>
    ids.slice(0, 8).map((eid) => {
      const e = events.get(eid);
      return (
        <li key={eid}>
          <Link href={`/sessions/${id}/replay?t=${e?.t ?? 0}`} className="mono">
            {clock(e?.t ?? 0)}
          </Link>{' '}
          {describe(e)}
        </li>
      );
    });
  const subs = Object.entries(report.subscores) as [string, { score: number; weight: number; points: number; notes: string[] }][];
  return (
    <>
      <p className="meta">
        <Link href="/">Scenarios</Link> / <Link href={`/sessions/${id}`}>{entry?.definition.title ?? report.scenario}</Link> /{' '}
        <span>report</span>
      </p>
      <h1>Report</h1>
      <div className="session-layout">
        <section className="panel" aria-label="Scores">
          <div className="score" data-testid="report-total">
            {Math.round(report.total)}
            <span className="lead"> / 100</span>
          </div>
          {subs.map(([name, s]) => (
            <div key={name} style={{ margin: '10px 0' }}>
              <div className="row" style={{ justifyContent: 'space-between' }}>
                <strong style={{ textTransform: 'capitalize' }}>{name}</strong>
                <span className="mono">
                  {s.score}/100 × {s.weight}%
                </span>
              </div>
              <div className="bar">
                <span style={{ width: `${s.score}%` }} />
              </div>
              {s.notes.length > 0 && <p className="lead" style={{ margin: '4px 0 0' }}>{s.notes.join(' ')}</p>}
            </div>
          ))}
          <h2>What was really going on</h2>
          <p data-testid="report-truth">
            {report.truth.categoryLabel}. The culprit was <strong className="mono">{report.truth.culprit}</strong> ({report.truth.culpritKind}).
          </p>
          {report.submittedDiagnosis ? (
            <p className="lead">
              You said: {report.submittedDiagnosis.category}, “{report.submittedDiagnosis.culprit}”, decision {report.submittedDiagnosis.decision}.
            </p>
          ) : (
            <p className="lead">No diagnosis was submitted.</p>
          )}
          <h2>Goals at the end</h2>
          {report.goals.length === 0 ? (
            <p className="lead">No final goal check ran.</p>
          ) : (
            <ul className="goals">
              {report.goals.map((g) => (
                <li key={g.id}>
                  <strong className={g.pass ? 'pass' : 'fail'}>{g.pass ? '✔' : '✖'}</strong> {g.title}
                  <div className="lead" style={{ margin: 0 }}>
                    {g.evidence}
                  </div>
                </li>
              ))}
            </ul>
          )}
          <p className="lead">
            Hints taken: {report.hintsTaken}. Rule set {report.ruleSetVersion}. <Link href={`/sessions/${id}/replay`}>Replay the session</Link>.
          </p>
        </section>
        <section className="panel" aria-label="Protocol">
          <h2 style={{ marginTop: 0 }}>How you debugged</h2>
          <ul className="goals" data-testid="report-rules">
            {report.protocol.results.map((r) => (
              <li key={r.id} data-rule={r.id}>
                <strong className={r.status === 'met' ? 'met' : r.status === 'broken' ? 'broken' : 'na'}>
                  {r.status === 'met' ? '✔' : r.status === 'broken' ? '✖' : '–'}
                </strong>{' '}
                {r.title}{' '}
                <span className="mono lead">
                  {r.status === 'not-applicable' ? 'n/a' : `${Math.round(r.points * 10) / 10}/${r.weight}`}
                </span>
                <div className="lead" style={{ margin: 0 }}>
                  {r.note}
                </div>
                {r.citations.length > 0 && <ul className="timeline">{cite(r.citations)}</ul>}
                <details>
                  <summary className="lead">Why this matters ({r.runbook})</summary>
                  <p>{r.explanation}</p>
                </details>
              </li>
            ))}
          </ul>
        </section>
      </div>
      {debrief && (
        <section className="panel briefing" aria-label="Debrief" style={{ marginTop: 20 }}>
          {debrief}
        </section>
      )}
    </>
  );
}
