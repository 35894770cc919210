import { NextResponse } from 'next/server';
import { SickbayError } from '@/lib/errors';
import { debriefCsv } from '@/lib/drills/debrief';
import { DrillAdmin } from '@/server/drills/drills';
import { drillDeps } from '@/server/drills/deps';
import { services } from '@/server/registry';
import { principalOf } from '@/app/_lib/auth';
import { handle, json } from '@/app/_lib/http';

export const dynamic = 'force-dynamic';

/** The debrief as JSON (default) or, with `?format=csv`, every team's per-rule results as a CSV download. */
export async function GET(request: Request, { params }: { params: Promise<{ drillId: string }> }) {
  return handle(async () => {
    const format = new URL(request.url).searchParams.get('format') ?? 'json';
    if (format !== 'json' && format !== 'csv') throw new SickbayError('bad_request', 'format: json or csv');
    const debrief = new DrillAdmin(drillDeps(services()), principalOf(request)).debrief((await params).drillId);
    if (format === 'json') return json(debrief);
    return new NextResponse(debriefCsv(debrief.teams), {
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="drill-${debrief.drill.id}.csv"`,
        'cache-control': 'no-store',
      },
    });
  });
}
