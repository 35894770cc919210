/**
 * The labels every Docker object of ours carries. They let the sweeper find leftovers after a
 * crash without any state but the engine's, and let several Sickbay instances (a dev server,
 * a test run) share one engine without sweeping each other's sessions.
 */
export const LABEL = {
  managedBy: 'sickbay.managed-by',
  instance: 'sickbay.instance',
  session: 'sickbay.session',
  scenario: 'sickbay.scenario',
  service: 'sickbay.service',
  role: 'sickbay.role',
  expiresAt: 'sickbay.expires-at',
} as const;

export const MANAGED_BY = 'sickbay';

/** customers: the lab-owned container that plays a scenario's customers (hidden from the learner like the console). */
export type ObjectRole = 'service' | 'network' | 'console' | 'sidecar' | 'customers';

export interface LabelInput {
  instance: string;
  sessionId: string;
  scenario: string;
  role: ObjectRole;
  service?: string;
  /** Hard deadline (epoch ms) after which any instance may remove the object. */
  expiresAt: number;
}

export function sessionLabels(input: LabelInput): Record<string, string> {
  const labels: Record<string, string> = {
    [LABEL.managedBy]: MANAGED_BY,
    [LABEL.instance]: input.instance,
    [LABEL.session]: input.sessionId,
    [LABEL.scenario]: input.scenario,
    [LABEL.role]: input.role,
    [LABEL.expiresAt]: new Date(input.expiresAt).toISOString(),
  };
  if (input.service) labels[LABEL.service] = input.service;
  return labels;
}

/** The Docker list filter that selects every object we manage. */
export function managedFilter(): { label: string[] } {
  return { label: [`${LABEL.managedBy}=${MANAGED_BY}`] };
}

/** Parses the expires-at label; NaN when absent or malformed. */
export function labelExpiry(labels: Record<string, string> | undefined): number {
  const raw = labels?.[LABEL.expiresAt];
  return raw ? Date.parse(raw) : Number.NaN;
}
