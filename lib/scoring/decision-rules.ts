/** Rules 9 and 10: the decision recorded with a reason, and stakeholders updated once there is something to say. */
import { affects, formatClock, hasTier } from './actions';
import { effective, madeChanges, result } from './rule-kit';
import type { DiagnosisBody, Rule, UiEvent, UpdateBody } from './types';

function latest<T extends UiEvent>(ui: UiEvent[], kind: T['kind']): T[] {
  return ui.filter((u): u is T => u.kind === kind).sort((a, b) => a.t - b.t);
}

export const decisionRecorded: Rule = {
  id: 'decision-recorded',
  title: 'Record the decision: fix in place, restart or roll back — and why',
  weight: 5,
  explanation:
    'After the investigation comes an explicit choice. Writing it down with a reason makes the trade-off visible to whoever reviews the incident and keeps the fix honest.',
  runbook: 'Emergency response protocol: decision point (06d)',
  evaluate(ctx) {
    const diagnoses = latest<DiagnosisBody & { id: number; t: number }>(ctx.ui, 'diagnosis');
    const d = diagnoses[diagnoses.length - 1];
    if (!d) return result('broken', this.weight, 0, [], 'No diagnosis or decision was recorded.');
    let fraction = 0.5;
    const notes: string[] = [`Decision: ${d.decision}`];
    const words = d.reason.trim().split(/\s+/).filter(Boolean);
    if (words.length >= 3) fraction += 0.25;
    else notes.push('the reason is missing or too short');
    const services = ctx.expectations.affectedServices;
    const restarted = effective(ctx).some((a) => hasTier(a, 'state-losing') && affects(a, services));
    let consistent = true;
    if (madeChanges(ctx).length === 0) {
      // A decision nothing carried out is consistent with anything: it earns no consistency.
      consistent = false;
      notes.push('but nothing in the lab was changed to carry it out');
    } else if (d.decision === 'fix-in-place' && restarted) {
      consistent = false;
      notes.push('but the affected service was restarted or stopped anyway');
    }
    if (d.decision === 'restart' && !ctx.expectations.restartAllowed) {
      consistent = false;
      notes.push('but this scenario asks for the service to keep running');
    }
    if (consistent) fraction += 0.25;
    const status = fraction >= 1 ? 'met' : 'broken';
    return result(status, this.weight, fraction, [d.id], `${notes.join(', ')}${status === 'met' ? `, with a reason, consistent with what was done` : ''}.`);
  },
};

export const stakeholderUpdate: Rule = {
  id: 'stakeholder-update',
  title: 'Update stakeholders with findings and next steps',
  weight: 5,
  explanation:
    'People waiting on an incident need to know what is affected, what was found and when to expect the next step. The content is graded separately (communication); this rule checks that an update was sent once there was something to say.',
  runbook: 'Emergency response protocol: communication (06e)',
  evaluate(ctx) {
    const updates = latest<UpdateBody & { id: number; t: number }>(ctx.ui, 'update');
    if (updates.length === 0) return result('broken', this.weight, 0, [], 'No stakeholder update was sent.');
    const firstLab = ctx.actions[0];
    const informed = updates.filter((u) => firstLab !== undefined && u.t > firstLab.t && u.text.trim().split(/\s+/).length >= 5);
    if (informed.length > 0) {
      return result('met', this.weight, 1, informed.map((u) => u.id), `${informed.length} update${informed.length === 1 ? '' : 's'} sent after the investigation began (first at ${formatClock(informed[0]!.t - ctx.readyAt)}).`);
    }
    return result('broken', this.weight, 0.5, updates.map((u) => u.id), 'An update was sent, but before anything had been looked at or with too little in it to be useful.');
  },
};
