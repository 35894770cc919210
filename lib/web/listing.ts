/**
 * What a list of sessions shows of each one. A terminal token opens a shell in that session's
 * console, so it travels only in the session's own view (GET /api/sessions/:id and its page),
 * never in a list, which anyone able to read one would otherwise harvest all at once.
 */

type WithTerminal = { terminal: { path: string; token: string } | null };

export type Listed<T extends WithTerminal> = Omit<T, 'terminal'> & { terminal: { path: string } | null };

export function listedSession<T extends WithTerminal>(view: T): Listed<T> {
  const { terminal, ...rest } = view;
  return { ...rest, terminal: terminal ? { path: terminal.path } : null };
}
