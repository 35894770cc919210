import type { SessionEvent } from '@/lib/audit/events';
import { DiagnosisForm, type DiagnosisSpecView, type Submitted } from './DiagnosisForm';

/** The diagnosis and update forms while the session is ready; otherwise why they are not there. */
export function DiagnosisTab({
  sessionId,
  spec,
  events,
  submitted,
  zero,
  ready,
  final,
  onSubmitted,
}: {
  sessionId: string;
  spec: DiagnosisSpecView | null;
  events: SessionEvent[];
  submitted: Submitted;
  zero: number | null;
  ready: boolean;
  final: boolean;
  onSubmitted: () => void;
}) {
  if (ready && spec) return <DiagnosisForm sessionId={sessionId} spec={spec} events={events} submitted={submitted} zero={zero} onSubmitted={onSubmitted} />;
  return (
    <>
      <h2>Diagnosis</h2>
      <p className="lead small">
        {!spec
          ? 'This scenario asks for no diagnosis.'
          : final
            ? 'The session is over; your last diagnosis and update are in the report.'
            : 'You can write your diagnosis and stakeholder update once the session is ready.'}
      </p>
    </>
  );
}
