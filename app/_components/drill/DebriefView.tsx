'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { debriefSpanMs, type DebriefTeam } from '@/lib/drills/debrief';
import { formatClock } from '@/lib/display/clock';
import { api } from '@/app/_lib/api';

const SUBSCORES = ['outcome', 'diagnosis', 'protocol', 'communication'] as const;

/** The teams side by side: scores, where each lost points, and what each did on one time axis. */
export function DebriefView({ drillId, teams }: { drillId: string; teams: DebriefTeam[] }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const span = debriefSpanMs(teams) * 1.05;
  const pct = (ms: number) => `${Math.min(100, (ms / span) * 100)}%`;
  async function rerun() {
    setError(null);
    try {
      const made = await api<{ id: string }>(`/api/drills/${drillId}/rerun`, { method: 'POST' });
      router.push(`/drills/${made.id}`);
    } catch (err) {
      setError((err as Error).message);
    }
  }
  return (
    <div className="stack" data-testid="debrief">
      <table className="compact">
        <thead>
          <tr>
            <th />
            {teams.map((t) => (
              <th key={t.teamId}>{t.name}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          <tr>
            <th>Score</th>
            {teams.map((t) => (
              <td key={t.teamId} data-team={t.name} data-cell="score">
                <strong>{t.score}</strong>
                {t.cap && (
                  <p className="meta" data-cell="cap">
                    {t.cap}
                  </p>
                )}
              </td>
            ))}
          </tr>
          {SUBSCORES.map((k) => (
            <tr key={k}>
              <th>{k}</th>
              {teams.map((t) => (
                <td key={t.teamId}>{t.subscores[k]}</td>
              ))}
            </tr>
          ))}
          <tr>
            <th>Where points went</th>
            {teams.map((t) => (
              <td key={t.teamId}>
                <ul className="plain">
                  {t.deductions.slice(0, 5).map((d) => (
                    <li key={d.rule}>
                      −{d.lost} {d.title}
                    </li>
                  ))}
                  {t.deductions.length === 0 && <li>nothing lost</li>}
                </ul>
              </td>
            ))}
          </tr>
        </tbody>
      </table>
      <h2>What each team did, on one clock</h2>
      <div className="tl-chart drill-lanes" role="img" aria-label="Each team's actions after the start, coloured by tier">
        {teams.map((t) => (
          <div className="tl-lane" key={t.teamId}>
            <div className="tl-label">{t.name}</div>
            <div className="tl-track">
              {t.marks.map((m, i) => (
                <span key={i} className={`tl-mark tier-${m.tier}`} style={{ left: pct(m.atMs) }} title={`${formatClock(m.atMs)} ${m.tier}: ${m.text}`} />
              ))}
            </div>
          </div>
        ))}
        <div className="tl-axis lead">
          <span>start</span>
          <span>{formatClock(span)}</span>
        </div>
      </div>
      <p className="meta">
        Colours: <span className="tier-key tier-external">outside look</span> <span className="tier-key tier-read-only">read-only inside</span>{' '}
        <span className="tier-key tier-interactive">interactive</span> <span className="tier-key tier-change">change</span>{' '}
        <span className="tier-key tier-state-losing">state-losing</span> <span className="tier-key tier-destructive">destructive</span>
      </p>
      <p className="row">
        <a className="button secondary" href={`/api/drills/${drillId}/debrief?format=csv`} data-testid="export-csv">
          Export CSV
        </a>
        <a className="button secondary" href={`/api/drills/${drillId}/debrief`}>
          Export JSON
        </a>
        <button type="button" onClick={() => void rerun()} data-testid="rerun">
          Run it again with a new seed
        </button>
      </p>
      {error && (
        <p className="notice error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
