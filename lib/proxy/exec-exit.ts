/**
 * The exit status of an exec as Docker recorded it: the engine's answer to exec inspect
 * (GET /exec/<id>/json), which the CLI asks for when the command ends. The proxy copies it
 * into the audit so a goal can tell a command that ran from one that was never found.
 */

/** ExitCode of a finished exec; undefined while it runs or when the answer has none. */
export function execExitCode(body: unknown): number | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const b = body as { Running?: unknown; ExitCode?: unknown };
  if (b.Running === true) return undefined;
  return typeof b.ExitCode === 'number' && Number.isInteger(b.ExitCode) ? b.ExitCode : undefined;
}

/** 126: found but not executable; 127: not found. Anything else means the program ran. */
export function commandRan(exitCode: number | undefined): boolean {
  return exitCode !== undefined && exitCode !== 126 && exitCode !== 127;
}
