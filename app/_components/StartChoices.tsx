'use client';

import { useState } from 'react';
import { StartButton } from './StartButton';

/**
 * The scenario page's start: a new-culprit start plus the coach switch. Coach mode is on by
 * default for learners (the proxy holds evidence-losing calls once, with advice); switching it
 * off gives exam mode, the way interviews and drills run, for a learner who wants to try
 * without a safety net.
 */
export function StartChoices({ scenario, label, secondary }: { scenario: string; label: string; secondary: boolean }) {
  const [coach, setCoach] = useState(true);
  return (
    <div className="start-choices">
      <label className="check" title="Coach mode holds a restart, stop, kill or removal of an affected service once and says what it would destroy">
        <input type="checkbox" checked={coach} onChange={(e) => setCoach(e.target.checked)} data-testid="coach-switch" />
        Coach me: warn before a step that loses the evidence
      </label>
      <StartButton scenario={scenario} label={label} newCulprit secondary={secondary} coach={coach} />
    </div>
  );
}
