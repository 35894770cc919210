import { z } from 'zod';
import { sessionsFor } from '@/app/_lib/auth';
import { checkSessionId, handle, json, readJson } from '@/app/_lib/http';
import { MAX_MEMBERS, TEAM_ROLES } from '@/lib/auth/team';

export const dynamic = 'force-dynamic';

const UserId = z.string().min(1).max(100);
const Role = z.enum(TEAM_ROLES);
const Team = z.object({ members: z.array(z.object({ userId: UserId, role: Role }).strict()).max(MAX_MEMBERS) }).strict();
const RoleChange = z.object({ userId: UserId, role: Role }).strict();

/** The session's team: members with names and roles, the driver, and the caller's role. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return handle(async () => json(sessionsFor(request).team(checkSessionId((await params).id))));
}

/** Sets the whole team (the session's owner or an admin); an empty list ends the sharing. */
export async function PUT(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    const id = checkSessionId((await params).id);
    const { members } = await readJson(request, Team);
    const sessions = sessionsFor(request);
    sessions.setTeam(id, members);
    return json(sessions.team(id));
  });
}

/** Changes one member's role (the session's owner or an admin). */
export async function PATCH(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    const id = checkSessionId((await params).id);
    const { userId, role } = await readJson(request, RoleChange);
    const sessions = sessionsFor(request);
    sessions.setRole(id, userId, role);
    return json(sessions.team(id));
  });
}
