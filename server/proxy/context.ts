/** What every handler of one session's proxy shares. */
import type { AuditLimits } from '@/lib/proxy/audit-budget';
import type { CoachMemory } from '@/lib/proxy/coach';
import type { SessionScope } from '@/lib/proxy/scope';
import type { AuditSink } from './call';
import type { EngineClient } from './engine-client';
import type { ExecRegistry, Ownership } from './ownership';

export interface ProxyOptions {
  sessionId: string;
  /** Objects must carry sickbay.instance=<this> AND sickbay.session=<sessionId>. */
  instance: string;
  /** Listen here (unix socket); the parent dir is created 0700, the socket is 0666. */
  socketPath: string;
  /** The real engine, e.g. /var/run/docker.sock. */
  engineSocketPath: string;
  /** One call per request (plus typed lines inside interactive execs). */
  audit: AuditSink;
  sidecar: { images: string[]; labels: Record<string, string>; memoryBytes: number; nanoCpus: number; pidsLimit: number };
  updateCeiling: { memoryBytes: number; nanoCpus: number; pidsLimit: number };
  /** Commits are forced into this repository, e.g. sickbay-snapshot/<sessionId>. */
  commitRepository: string;
  /** Overrides of the audit budget (lib/proxy/audit-budget.ts AUDIT_LIMITS); tests use small ones. */
  auditLimits?: Partial<AuditLimits>;
  /**
   * Whether the session runs in coach mode (lib/proxy/coach.ts), asked at each call the coach
   * would hold, so a session taken from the pool follows its learner's choice. Absent: exam mode.
   */
  coach?: () => boolean;
  /** Where the proxy reports its own trouble (audit sink failures); silent by default. */
  log?: (message: string) => void;
}

export interface ProxyContext {
  options: ProxyOptions;
  scope: SessionScope;
  engine: EngineClient;
  owned: Ownership;
  execs: ExecRegistry;
  emit: AuditSink;
  /** Calls the coach held, by key (lib/proxy/coach.ts). */
  coached: CoachMemory;
  /** Runs check-then-create steps one at a time (the sidecar count must not race). */
  serial<T>(fn: () => Promise<T>): Promise<T>;
}
