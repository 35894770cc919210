/**
 * A held session (a team drill's, server/engine/holding.ts): everything is set up and broken
 * already, but the terminal stays closed and the clock stopped until the facilitator's Start
 * releases every team at the same moment. The page keeps polling, so it opens by itself.
 */
export function HeldCard() {
  return (
    <div className="state-card" data-testid="console-state" data-state="held">
      <h2>Ready — waiting for the drill to start</h2>
      <p className="lead">
        Your team&apos;s incident is set up and waiting. The terminal opens for every team at the same moment, when the facilitator starts the drill; your clock starts
        then, not before. Read the briefing meanwhile.
      </p>
    </div>
  );
}
