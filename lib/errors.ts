/**
 * The one error type of Sickbay. Every failure that crosses a module boundary is a
 * SickbayError with a code; the HTTP layer maps codes to statuses in one place
 * (statusForCode), so a handler never invents its own status.
 */
export const ERROR_CODES = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unsupported_media_type: 415,
  too_many_requests: 429,
  invalid_scenario: 500,
  invalid_track: 500,
  engine_unavailable: 503,
  /** The data directory's disk is full: nothing was saved. */
  storage_full: 507,
  provision_failed: 500,
  timeout: 504,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class SickbayError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SickbayError';
    this.code = code;
    this.details = options.details;
  }
}

export function isSickbayError(value: unknown): value is SickbayError {
  return value instanceof Error && (value as { name?: string }).name === 'SickbayError' && 'code' in value;
}

export function statusForCode(code: ErrorCode): number {
  return ERROR_CODES[code];
}

/** Wraps anything thrown into a SickbayError, keeping the original as the cause. */
export function toSickbayError(value: unknown, fallback: ErrorCode = 'internal'): SickbayError {
  if (isSickbayError(value)) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new SickbayError(fallback, message, { cause: value });
}
