import type { Metadata } from 'next';
import { compileMDX } from 'next-mdx-remote/rsc';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { formatClock, formatUtc, sessionClock } from '@/lib/display/clock';
import { describeEvent } from '@/lib/display/describe';
import { isSickbayError } from '@/lib/errors';
import { TimelineChart } from '@/app/_components/TimelineChart';
import { services } from '@/server/registry';
import { sessionMetadata } from '@/app/_lib/titles';
import { pageSessions } from '@/app/_lib/auth';
import { TeamCredit } from '@/app/_components/TeamCredit';

export const dynamic = 'force-dynamic';

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  return sessionMetadata((await params).id, 'Report');
}

/** The session report: scores, every rule with the moments it cites, the truth and the debrief. */
export default async function ReportPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { catalogue } = services();
  const sessions = await pageSessions();
  let report;
  try {
    report = sessions.report(/^[0-9a-f]{12}$/.test(id) ? id : '-');
  } catch (err) {
    if (isSickbayError(err) && (err.code === 'not_found' || err.code === 'conflict')) notFound();
    throw err;
  }
  const events = new Map(sessions.events(id).map((e) => [e.id, e]));
  const entry = catalogue.has(report.scenario) ? catalogue.get(report.scenario) : null;
  const debriefSource = catalogue.has(report.scenario) ? catalogue.debrief(report.scenario) : null;
  const debrief = debriefSource ? (await compileMDX({ source: debriefSource, options: { blockJS: true } })).content : null;
  const cite = (ids: number[]) => [
    ...ids.slice(0, 8).map((eid) => {
      const e = events.get(eid);
      const at = sessionClock(e?.t ?? 0, report.readyAt);
      return (
        <li key={eid} data-event={eid}>
          <Link href={`/sessions/${id}/replay?t=${Math.max(0, at)}`} className="mono">
            {formatClock(at)}
          </Link>{' '}
          <span className={e?.kind === 'typed' ? 'mono' : undefined}>{e ? describeEvent(e) : 'an event'}</span>
        </li>
      );
    }),
    ...(ids.length > 8
      ? [
          <li key="more" className="lead">
            <span />
            <span>and {ids.length - 8} more</span>
          </li>,
        ]
      : []),
  ];
  const subs = Object.entries(report.subscores) as [string, { score: number; weight: number; points: number; notes: string[] }][];
  const title = entry?.definition.title ?? report.scenario;
  const session = sessions.get(id);
  const categoryLabel = (cat: string) => entry?.definition.diagnosis.categories.find((c) => c.id === cat)?.label ?? cat;
  const total = Math.round(report.total);
  const verdict = total >= 80 ? { cls: 'good', text: 'Well handled.' } : total >= 50 ? { cls: 'fair', text: 'Partly there.' } : { cls: 'poor', text: 'Room to grow.' };
  const drill = sessionClock(report.endedAt, report.readyAt);
  const said = report.submittedDiagnosis;
  return (
    <>
      <p className="meta crumbs">
        <Link href="/">Scenarios</Link> / <Link href={`/sessions/${id}`}>{title}</Link> / <span className="mono">{id}</span> / <span>report</span>
      </p>
      <div className="page-head">
        <div>
          <h1>Report: {title}</h1>
          <p className="meta" style={{ margin: 0 }}>
            {session.endedAt && <span>ended {formatUtc(session.endedAt, true)}</span>}
            <span data-testid="report-duration">· {formatClock(drill)} from ready to end</span>
            <span>
              · {report.hintsTaken} hint{report.hintsTaken === 1 ? '' : 's'} taken
            </span>
          </p>
        </div>
        <div className="row">
          <Link className="button" href={`/sessions/${id}/replay`}>
            Replay the session
          </Link>
          {entry ? (
            <Link className="button secondary" href={`/scenarios/${report.scenario}`} data-testid="try-again">
              Try again with a new culprit
            </Link>
          ) : (
            <Link className="button secondary" href="/">
              Start another drill
            </Link>
          )}
          <Link className="button secondary" href="/progress">
            Your progress
          </Link>
        </div>
      </div>
      <div className="session-layout report-layout">
        <section className="panel" aria-label="Scores">
          <div className="score-head">
            <div className={`score ${verdict.cls}`} data-testid="report-total">
              {total}
              <span className="of"> / 100</span>
            </div>
            <p className="verdict">{verdict.text}</p>
          </div>
          {report.cap && report.cap.uncapped > total && (
            <p className="cap-note" data-testid="report-cap">
              The parts below add up to {report.cap.uncapped}. {report.cap.note}
            </p>
          )}
          {subs.map(([name, s]) => (
            <div key={name} className="subscore">
              <div className="row" style={{ justifyContent: 'space-between' }}>
                <strong style={{ textTransform: 'capitalize' }}>{name}</strong>
                <span className="mono lead" style={{ margin: 0 }} title={`${s.points} of ${Math.round(s.weight)} points`}>
                  {s.score}/100 · weight {Math.round(s.weight)}%
                </span>
              </div>
              <div className="bar" role="img" aria-label={`${name}: ${s.score} out of 100`}>
                <span style={{ width: `${s.score}%` }} />
              </div>
              {s.notes.length > 0 && (
                <ul className="notes">
                  {s.notes.map((n, i) => (
                    <li key={i}>{n}</li>
                  ))}
                </ul>
              )}
            </div>
          ))}
          {report.timeline && report.timeline.length > 0 && (
            <>
              <h2>Emergency timeline</h2>
              <TimelineChart steps={report.timeline} />
            </>
          )}
          <h2>What was really going on</h2>
          <p data-testid="report-truth" className="truth">
            {report.truth.categoryLabel}. The culprit was <strong className="mono">{report.truth.culprit}</strong> ({report.truth.culpritKind}).
          </p>
          {said ? (
            <dl className="said">
              <dt>You said</dt>
              <dd>
                {categoryLabel(said.category)}; culprit “<span className="mono">{said.culprit}</span>”.
              </dd>
              <dt>Decision</dt>
              <dd>
                {said.decision.replaceAll('-', ' ')}: {said.reason}
              </dd>
            </dl>
          ) : (
            <p className="lead">No diagnosis was submitted.</p>
          )}
          {report.submittedUpdate ? (
            <>
              <h3>Your update</h3>
              <blockquote className="update">{report.submittedUpdate.text}</blockquote>
            </>
          ) : null}
          <h2>Goals at the end</h2>
          {report.goals.length === 0 ? (
            <p className="lead">No final goal check ran.</p>
          ) : (
            <ul className="goals">
              {report.goals.map((g) => (
                <li key={g.id}>
                  <strong className={g.pass ? 'pass' : 'fail'}>{g.pass ? '✔' : '✖'}</strong> {g.title}
                  <div className="lead small">{g.evidence}</div>
                </li>
              ))}
            </ul>
          )}
          <p className="lead small" style={{ marginTop: 16 }}>
            Rule set {report.ruleSetVersion}. Scores are computed once, when the session ends.
          </p>
        </section>
        <section className="panel" aria-label="Protocol">
          <h2 style={{ marginTop: 0 }}>How you debugged</h2>
          <p className="lead small">Each rule with the moments it is based on; a time opens the replay there.</p>
          <ul className="goals rules" data-testid="report-rules">
            {report.protocol.results.map((r) => (
              <li key={r.id} data-rule={r.id} data-status={r.status}>
                <div className="rule-head">
                  <span>
                    <strong className={r.status === 'met' ? 'met' : r.status === 'broken' ? 'broken' : 'na'} aria-label={r.status}>
                      {r.status === 'met' ? '✔' : r.status === 'broken' ? '✖' : '–'}
                    </strong>{' '}
                    {r.title}
                  </span>
                  <span className="mono lead points">{r.status === 'not-applicable' ? 'n/a' : `${Math.round(r.points * 10) / 10}/${r.weight}`}</span>
                </div>
                <div className="lead small">{r.note}</div>
                {(report.coached ?? [])
                  .filter((m) => m.rules.includes(r.id))
                  .map((m) => (
                    <div key={`${m.warnedT}-${m.action}`} className="lead small" data-testid="coached" data-choice={m.choice}>
                      Coach: {m.text}
                    </div>
                  ))}
                {r.citations.length > 0 && <ul className="timeline citations">{cite(r.citations)}</ul>}
                <details>
                  <summary>Why this matters ({r.runbook})</summary>
                  <p>{r.explanation}</p>
                </details>
              </li>
            ))}
          </ul>
        </section>
      </div>
      {report.credit && report.credit.length > 0 && <TeamCredit credit={report.credit} />}
      {debrief && (
        <section className="panel briefing debrief" aria-label="Debrief">
          {debrief}
        </section>
      )}
    </>
  );
}
