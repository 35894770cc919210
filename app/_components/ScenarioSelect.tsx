/** The scenario picker of the set-up forms (interviews, drills): a labelled, required select named `scenario`. */
export function ScenarioSelect({ scenarios }: { scenarios: { slug: string; title: string }[] }) {
  return (
    <label>
      Scenario{' '}
      <select name="scenario" required>
        {scenarios.map((s) => (
          <option key={s.slug} value={s.slug}>
            {s.title}
          </option>
        ))}
      </select>
    </label>
  );
}
