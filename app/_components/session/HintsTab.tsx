/** The hints taken so far and the button for the next one. */
export function HintsTab({ hints, hintCount, ready, busy, taking, onTake }: { hints: string[]; hintCount: number; ready: boolean; busy: boolean; taking: boolean; onTake: () => void }) {
  return (
    <>
      <h2>Hints</h2>
      {hintCount === 0 ? (
        <p className="lead small">This scenario has no hints.</p>
      ) : (
        <>
          <p className="lead small">Stuck? Hints come one at a time, from a nudge to the method. Each one you take is noted in your report.</p>
          <ol className="hints" data-testid="hints">
            {hints.map((h, i) => (
              <li key={i}>{h}</li>
            ))}
          </ol>
          {hints.length < hintCount ? (
            ready && (
              <button className="secondary" onClick={onTake} disabled={busy}>
                {taking ? 'Revealing…' : `Show hint ${hints.length + 1} of ${hintCount}`}
              </button>
            )
          ) : (
            <p className="lead small">You have seen every hint.</p>
          )}
        </>
      )}
    </>
  );
}
