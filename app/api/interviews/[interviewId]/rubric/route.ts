import { NextResponse } from 'next/server';
import { SickbayError } from '@/lib/errors';
import { renderRubricMarkdown } from '@/lib/interviews/rubric';
import { InterviewRubrics } from '@/server/interviews/rubric';
import { renderRubricPdf } from '@/server/interviews/rubric-pdf';
import { services } from '@/server/registry';
import { principalOf } from '@/app/_lib/auth';
import { handle, json } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

function download(body: string | Uint8Array, type: string, name: string): NextResponse {
  return new NextResponse(typeof body === 'string' ? body : Buffer.from(body), {
    status: 200,
    headers: {
      'content-type': type,
      'content-disposition': `attachment; filename="${name}"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
  });
}

/**
 * The rubric of a finished interview (interviewers only; 409 while the session runs).
 * `?format=json` (default), `markdown` or `pdf` (the last two as downloads).
 */
export async function GET(request: Request, { params }: { params: Promise<{ interviewId: string }> }) {
  return handle(async () => {
    const s = services();
    const format = new URL(request.url).searchParams.get('format') ?? 'json';
    if (!['json', 'markdown', 'pdf'].includes(format)) throw new SickbayError('bad_request', 'format must be json, markdown or pdf');
    const rubric = new InterviewRubrics(s, principalOf(request)).get((await params).interviewId);
    const name = `sickbay-rubric-${rubric.interviewId}`;
    if (format === 'markdown') return download(renderRubricMarkdown(rubric, s.auth.baseUrl()), 'text/markdown; charset=utf-8', `${name}.md`);
    if (format === 'pdf') return download(await renderRubricPdf(rubric, s.auth.baseUrl()), 'application/pdf', `${name}.pdf`);
    return json(rubric);
  });
}
