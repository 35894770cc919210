/**
 * Coach mode's hint (issue #15, item 5): the next step of the safe protocol the learner has not
 * taken yet, read from the same actions the rules read. In exam mode nobody asks for it.
 */
import { affects, hasTier } from './actions';
import { ruleContext } from './protocol';
import type { ProtocolInput } from './types';

export interface NextStep {
  /** The rule the step belongs to. */
  rule: string;
  text: string;
}

export function nextProtocolStep(input: ProtocolInput): NextStep | null {
  const ctx = ruleContext(input);
  const services = ctx.expectations.affectedServices;
  const name = services.join(', ') || 'the affected service';
  const done = ctx.actions.filter((a) => a.effective);
  if (!done.some((a) => a.tier === 'external' && affects(a, services))) {
    return { rule: 'observe-outside-first', text: `You have not looked from outside yet: docker logs, docker stats --no-stream and docker inspect show ${name} without touching it.` };
  }
  if (ctx.expectations.snapshotExpected && !done.some((a) => hasTier(a, 'snapshot'))) {
    return { rule: 'snapshot-before-invasive', text: `No snapshot yet: docker commit ${services[0] ?? '<service>'} keeps the evidence before you change anything.` };
  }
  if (!ctx.ui.some((e) => e.kind === 'diagnosis')) {
    return { rule: 'decision-recorded', text: 'Write down what you found: submit a diagnosis citing the events that show the culprit, and your decision.' };
  }
  if (!ctx.ui.some((e) => e.kind === 'update')) {
    return { rule: 'stakeholder-update', text: 'Tell the people waiting: write a short stakeholder update (impact, cause, what you did).' };
  }
  return null;
}
