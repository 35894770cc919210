/** Route-handler glue: parse input, call server/, and map every error to a JSON response here. */
import { NextResponse } from 'next/server';
import type { z } from 'zod';
import { SickbayError, isSickbayError, statusForCode } from '@/lib/errors';
import { formatIssues } from '@/lib/scenario/schema';
import { jsonContentTypeProblem } from '@/lib/web/media-type';

export function json(body: unknown, status = 200): NextResponse {
  return NextResponse.json(body, { status, headers: { 'cache-control': 'no-store' } });
}

export function errorResponse(err: unknown): NextResponse {
  if (isSickbayError(err)) {
    return json({ error: { code: err.code, message: err.message } }, statusForCode(err.code));
  }
  console.error('[sickbay] unexpected error in a route handler:', err);
  return json({ error: { code: 'internal', message: 'internal error; see the server log' } }, 500);
}

/** Runs a handler body and turns whatever it throws into the right status. */
export async function handle(fn: () => Promise<NextResponse> | NextResponse): Promise<NextResponse> {
  try {
    return await fn();
  } catch (err) {
    return errorResponse(err);
  }
}

const MAX_BODY_BYTES = 16 * 1024;

/** Reads a small JSON body and validates it: a wrong content type is a 415, every other problem a 400 naming the field. */
export async function readJson<T>(request: Request, schema: z.ZodType<T>): Promise<T> {
  // Exactly application/json: a web page cannot send that cross-site without a preflight.
  const problem = jsonContentTypeProblem(request.headers.get('content-type'));
  if (problem) throw new SickbayError('unsupported_media_type', problem);
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) throw new SickbayError('bad_request', `body larger than ${MAX_BODY_BYTES} bytes`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new SickbayError('bad_request', 'the body is not valid JSON');
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    throw new SickbayError('bad_request', formatIssues('body', parsed.error.issues).replaceAll('body: ', ''));
  }
  return parsed.data;
}

/** Session ids are 12 lowercase hex characters; anything else cannot exist. */
export function checkSessionId(id: string): string {
  if (!/^[0-9a-f]{12}$/.test(id)) throw new SickbayError('not_found', `no session ${JSON.stringify(id.slice(0, 40))}`);
  return id;
}

/** The `after=<event id>` of the event-log routes (events, live): 0 when absent, 400 when not an id. */
export function afterEventId(request: Request): number {
  const after = new URL(request.url).searchParams.get('after') ?? '0';
  if (!/^\d{1,15}$/.test(after)) throw new SickbayError('bad_request', 'after must be a non-negative integer event id');
  return Number(after);
}
