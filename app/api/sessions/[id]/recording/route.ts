import { NextResponse } from 'next/server';
import { SickbayError } from '@/lib/errors';
import { services } from '@/server/registry';
import { openRecording } from '@/server/terminal/recording-file';
import { sessionsFor } from '@/app/_lib/auth';
import { checkSessionId, handle } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

/** The session's terminal recording (asciicast v2), complete lines only while it is live. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    const id = checkSessionId((await params).id);
    const file = await openRecording(sessionsFor(request).recordingPath(id), services().config.dataDir);
    if (!file) throw new SickbayError('not_found', 'the recording of this session is missing or still empty');
    return new NextResponse(file.stream, {
      status: 200,
      headers: {
        'content-type': 'application/x-asciicast; charset=utf-8',
        'content-length': String(file.size),
        'content-disposition': `inline; filename="sickbay-${id}.cast"`,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      },
    });
  });
}
