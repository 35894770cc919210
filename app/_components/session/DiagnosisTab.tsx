import type { SessionEvent } from '@/lib/audit/events';
import type { DiagnosisChoices } from '@/lib/scenario/types';
import { DiagnosisForm, type Submitted } from './DiagnosisForm';

/** The diagnosis and update forms while the session is ready; otherwise why they are not there. */
export function DiagnosisTab({
  sessionId,
  spec,
  events,
  submitted,
  zero,
  ready,
  watching = false,
  final,
  onSubmitted,
  parts,
}: {
  sessionId: string;
  spec: DiagnosisChoices | null;
  events: SessionEvent[];
  submitted: Submitted;
  zero: number | null;
  ready: boolean;
  /** Someone else's session: only its learner answers. */
  watching?: boolean;
  final: boolean;
  onSubmitted: () => void;
  /** In a team session, the forms this member's role answers (DiagnosisForm). */
  parts?: { diagnosis: boolean; update: boolean };
}) {
  if (ready && spec && !watching) return <DiagnosisForm sessionId={sessionId} spec={spec} events={events} submitted={submitted} zero={zero} onSubmitted={onSubmitted} parts={parts} />;
  return (
    <>
      <h2>Diagnosis</h2>
      <p className="lead small">
        {!spec
          ? 'This scenario asks for no diagnosis.'
          : watching
            ? 'Only the learner writes the diagnosis and the stakeholder update; they are in the timeline and the report.'
            : final
            ? 'The session is over; your last diagnosis and update are in the report.'
            : 'You can write your diagnosis and stakeholder update once the session is ready.'}
      </p>
    </>
  );
}
