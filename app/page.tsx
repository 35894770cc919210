import { services } from '@/server/registry';
import { StartButton } from './_components/StartButton';

export const dynamic = 'force-dynamic';

export default function CataloguePage() {
  const { catalogue } = services();
  const scenarios = catalogue.list();
  return (
    <>
      <h1>Scenarios</h1>
      <p className="lead">
        Each drill starts real containers that are broken on purpose. Find the cause, fix it without making things worse, and
        tell people what happened. You are scored on the end state <em>and</em> on how safely you got there.
      </p>
      {scenarios.length === 0 ? (
        <div className="placeholder">No scenarios are loaded. Check the server log for scenario errors.</div>
      ) : (
        <div className="grid">
          {scenarios.map((s) => (
            <article className="card" key={s.slug} data-scenario={s.slug}>
              <h2>{s.title}</h2>
              <div className="meta">
                <span className={`pill ${s.difficulty}`}>{s.difficulty}</span>
                <span>~{s.minutes} min</span>
                {s.tags.map((t) => (
                  <span key={t} className="pill">
                    {t}
                  </span>
                ))}
              </div>
              <p>{s.summary}</p>
              <StartButton scenario={s.slug} title={s.title} />
            </article>
          ))}
        </div>
      )}
      {catalogue.errors.length > 0 && (
        <p className="error" role="status">
          {catalogue.errors.length} scenario file(s) failed to load; see the server log.
        </p>
      )}
    </>
  );
}
