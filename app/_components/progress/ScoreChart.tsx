import type { Progress } from '@/lib/progress';

const W = 640;
const H = 180;
const PAD = { left: 34, right: 12, top: 12, bottom: 22 };
const MAX_POINTS = 30;

const verdict = (total: number) => (total >= 80 ? 'good' : total >= 50 ? 'fair' : 'poor');

/**
 * Scores over time, one point per scored attempt (the last 30), as plain SVG: no script, so it
 * needs nothing from the page's CSP. Every point links to its report and names its scenario.
 */
export function ScoreChart({ scores, titles }: { scores: Progress['scores']; titles: Map<string, string> }) {
  const shown = scores.slice(-MAX_POINTS);
  if (shown.length === 0) return null;
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (shown.length === 1 ? innerW / 2 : (i * innerW) / (shown.length - 1));
  const y = (v: number) => PAD.top + innerH - (Math.max(0, Math.min(100, v)) / 100) * innerH;
  const line = shown.map((s, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(s.total).toFixed(1)}`).join(' ');
  const summary = `Scores of your last ${shown.length} scored attempt${shown.length === 1 ? '' : 's'}, oldest first: ${shown.map((s) => Math.round(s.total)).join(', ')}.`;
  return (
    <figure className="chart" data-testid="score-chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary} preserveAspectRatio="xMidYMid meet">
        {[0, 50, 80, 100].map((v) => (
          <g key={v} className="grid">
            <line x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} />
            <text x={PAD.left - 6} y={y(v) + 4} textAnchor="end">
              {v}
            </text>
          </g>
        ))}
        <path d={line} className="score-line" />
        {shown.map((s, i) => (
          <a key={s.sessionId} href={`/sessions/${s.sessionId}/report`} aria-label={`${titles.get(s.scenario) ?? s.scenario}: ${Math.round(s.total)}`}>
            <circle cx={x(i)} cy={y(s.total)} r={5} className={`dot ${verdict(s.total)}`}>
              <title>{`${titles.get(s.scenario) ?? s.scenario}: ${Math.round(s.total)}/100`}</title>
            </circle>
          </a>
        ))}
        <text x={PAD.left} y={H - 4} className="axis">
          older
        </text>
        <text x={W - PAD.right} y={H - 4} textAnchor="end" className="axis">
          latest
        </text>
      </svg>
      <figcaption className="meta">Total score per attempt. 80 and above is well handled; below 50 there is room to grow.</figcaption>
    </figure>
  );
}
