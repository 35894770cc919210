import type { Board } from '@/server/drills/board';
import { formatClock } from '@/lib/display/clock';

const KIND_TEXT = { 'stakeholder-update': 'a stakeholder asks', decision: 'a decision is wanted', info: 'news' } as const;

/** The live board: the drill clock, the next inject, and per team the figures that matter. */
export function BoardTable({ board, phase }: { board: Board; phase: string }) {
  return (
    <div className="stack" data-testid="drill-board">
      <p className="board-clock">
        <strong data-testid="board-clock">{formatClock(board.elapsedMs)}</strong> <span className="meta">({formatClock(board.remainingMs)} left)</span>
        {board.nextInject && phase !== 'over' && (
          <span className="meta" data-testid="next-inject">
            {' '}
            · next inject at {formatClock(board.nextInject.atMs)}: {KIND_TEXT[board.nextInject.kind]}
          </span>
        )}
      </p>
      <table className="compact board">
        <thead>
          <tr>
            <th>Team</th>
            <th>Goals</th>
            <th>First outside look</th>
            <th>Time to mitigation</th>
            <th>Rules broken</th>
            <th>Updates</th>
            <th>Score</th>
          </tr>
        </thead>
        <tbody>
          {board.teams.map((t) => {
            const f = t.figures;
            return (
              <tr key={t.teamId} data-team={t.name}>
                <td>{t.name}</td>
                <td data-cell="goals">{f?.goals ? `${f.goals.passed}/${f.goals.total}` : '—'}</td>
                <td data-cell="outside">{f?.firstOutsideLookMs != null ? formatClock(f.firstOutsideLookMs) : '—'}</td>
                <td data-cell="mitigation">{f?.hasCustomers && f.mitigationMs !== null ? formatClock(f.mitigationMs) : '—'}</td>
                <td data-cell="broken" title={f?.rulesBroken.map((r) => r.title).join('\n')}>
                  {f ? f.rulesBroken.length : '—'}
                </td>
                <td data-cell="updates">{f ? f.updates : '—'}</td>
                <td data-cell="score">
                  {f ? (
                    <>
                      {f.score}
                      {f.provisional && <span className="meta"> (so far)</span>}
                    </>
                  ) : (
                    '—'
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
