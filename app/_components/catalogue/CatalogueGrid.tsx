'use client';

import Link from 'next/link';
import { useMemo, useState } from 'react';
import type { Difficulty } from '@/lib/scenario/types';
import type { ScenarioSummary } from '@/server/engine/catalogue';

/** A scenario's card: what the catalogue says of it, and this learner's standing in it. */
export interface CatalogueItem extends Pick<ScenarioSummary, 'slug' | 'title' | 'summary' | 'difficulty' | 'minutes' | 'tags'> {
  /** Position in the learner's current track (1-based), if it is in it. */
  step: number | null;
  attempts: number;
  best: number | null;
  completed: boolean;
  live: string | null;
}

const DIFFICULTIES: Difficulty[] = ['beginner', 'intermediate', 'advanced'];
const RANK: Record<Difficulty, number> = { beginner: 0, intermediate: 1, advanced: 2 };

/** Keeps the filters in the address (?difficulty=&topic=) so a filtered view can be shared and survives a reload. */
function remember(difficulty: string, topic: string) {
  const url = new URL(window.location.href);
  for (const [k, v] of [['difficulty', difficulty], ['topic', topic]] as const) {
    if (v) url.searchParams.set(k, v);
    else url.searchParams.delete(k);
  }
  window.history.replaceState(null, '', url);
}

/** The full catalogue with filters by difficulty and topic; beginner drills first, then in track order. */
export function CatalogueGrid({ items, initial }: { items: CatalogueItem[]; initial: { difficulty: string; topic: string } }) {
  const [difficulty, setDifficulty] = useState(DIFFICULTIES.includes(initial.difficulty as Difficulty) ? initial.difficulty : '');
  const topics = useMemo(() => {
    const count = new Map<string, number>();
    for (const i of items) for (const t of i.tags) count.set(t, (count.get(t) ?? 0) + 1);
    return [...count].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  }, [items]);
  const [topic, setTopic] = useState(topics.some(([t]) => t === initial.topic) ? initial.topic : '');

  const shown = useMemo(
    () =>
      items
        .filter((i) => (!difficulty || i.difficulty === difficulty) && (!topic || i.tags.includes(topic)))
        .sort((a, b) => RANK[a.difficulty] - RANK[b.difficulty] || (a.step ?? 99) - (b.step ?? 99) || a.title.localeCompare(b.title)),
    [items, difficulty, topic],
  );

  const update = (d: string, t: string) => {
    setDifficulty(d);
    setTopic(t);
    remember(d, t);
  };

  return (
    <>
      <form className="filters" aria-label="Filter the scenarios" onSubmit={(e) => e.preventDefault()}>
        <fieldset className="segmented">
          <legend>Difficulty</legend>
          {['', ...DIFFICULTIES].map((d) => (
            <label key={d || 'all'} className={d || undefined}>
              <input type="radio" name="difficulty" value={d} checked={difficulty === d} onChange={() => update(d, topic)} />
              <span>{d ? d[0]!.toUpperCase() + d.slice(1) : 'All'}</span>
            </label>
          ))}
        </fieldset>
        <label className="topic">
          <span>Topic</span>
          <select value={topic} onChange={(e) => update(difficulty, e.target.value)}>
            <option value="">All topics</option>
            {topics.map(([t, n]) => (
              <option key={t} value={t}>
                {t} ({n})
              </option>
            ))}
          </select>
        </label>
        <p className="meta count" role="status" aria-live="polite" data-testid="catalogue-count">
          {shown.length === items.length ? `${items.length} scenarios` : `${shown.length} of ${items.length} scenarios`}
          {(difficulty || topic) && (
            <button type="button" className="link" onClick={() => update('', '')}>
              Clear filters
            </button>
          )}
        </p>
      </form>
      {shown.length === 0 ? (
        <div className="placeholder">No scenario matches these filters.</div>
      ) : (
        <ul className="grid cards" aria-label="Scenarios">
          {shown.map((s) => (
            <li key={s.slug}>
              <article className={`card${s.completed ? ' done' : ''}`} data-scenario={s.slug}>
                <h3>
                  <Link href={`/scenarios/${s.slug}`} className="stretched">
                    {s.title}
                  </Link>
                </h3>
                <div className="meta">
                  <span className={`pill ${s.difficulty}`}>{s.difficulty}</span>
                  <span>~{s.minutes} min</span>
                  {s.step !== null && <span>track step {s.step}</span>}
                </div>
                <p>{s.summary}</p>
                <div className="tags">
                  {s.tags.map((t) => (
                    <span key={t} className={`pill tag${t === topic ? ' on' : ''}`}>
                      {t}
                    </span>
                  ))}
                </div>
                <p className="card-foot meta">
                  {s.live ? (
                    <span className="live">session in progress</span>
                  ) : s.completed ? (
                    <span className="met">✓ completed</span>
                  ) : s.attempts > 0 ? (
                    <span>not completed yet</span>
                  ) : (
                    <span>not tried yet</span>
                  )}
                  {s.best !== null && <span>best {s.best}/100</span>}
                  {s.attempts > 0 && (
                    <span>
                      {s.attempts} attempt{s.attempts === 1 ? '' : 's'}
                    </span>
                  )}
                </p>
              </article>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
