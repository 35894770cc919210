import type { RuleAttempt, RuleOutcome } from '@/lib/progress';

const WORDS: Record<RuleOutcome, string> = { met: 'met', partial: 'partly met', broken: 'broken', 'not-applicable': 'did not apply' };
const CELL = 16;
const GAP = 4;

/** One rule across the last attempts, oldest first: a square per attempt, coloured by how it went. */
export function RuleStrip({ recent, titles }: { recent: RuleAttempt[]; titles: Map<string, string> }) {
  const width = recent.length * (CELL + GAP) - GAP;
  const label = recent.map((r) => `${titles.get(r.scenario) ?? r.scenario}: ${WORDS[r.outcome]}`).join('; ');
  return (
    <svg className="strip" width={Math.max(width, 1)} height={CELL} viewBox={`0 0 ${Math.max(width, 1)} ${CELL}`} role="img" aria-label={label || 'no attempts'}>
      {recent.map((r, i) => (
        <rect key={r.sessionId} x={i * (CELL + GAP)} y={0} width={CELL} height={CELL} rx={3} className={`cell ${r.outcome}`}>
          <title>{`${titles.get(r.scenario) ?? r.scenario}: ${WORDS[r.outcome]}`}</title>
        </rect>
      ))}
    </svg>
  );
}
