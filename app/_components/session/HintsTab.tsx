/** The hints taken so far and the button for the next one. */
export function HintsTab({
  hints,
  hintCount,
  ready,
  busy,
  taking,
  onTake,
  coach,
}: {
  hints: string[];
  hintCount: number;
  ready: boolean;
  busy: boolean;
  taking: boolean;
  onTake: () => void;
  /** Coach mode: the next protocol step on request (not counted as a hint). Null in exam mode. */
  coach: { step: string | null; asking: boolean; onAsk: () => void } | null;
}) {
  return (
    <>
      <h2>Hints</h2>
      {coach && ready && (
        <div data-testid="coach">
          <p className="lead small">Coach mode is on: risky Docker calls are held once with advice, and the coach can tell you the next step of the safe protocol.</p>
          {coach.step && <p data-testid="coach-step">Coach: {coach.step}</p>}
          <button className="secondary" onClick={coach.onAsk} disabled={busy}>
            {coach.asking ? 'Asking…' : 'What should I do next?'}
          </button>
        </div>
      )}
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
