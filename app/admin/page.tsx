import Link from 'next/link';
import { notFound } from 'next/navigation';
import { health, liveSessions } from '@/server/admin/admin';
import { services } from '@/server/registry';
import { pageUser } from '@/app/_lib/auth';
import { EndAll, EndSession, InviteForm, UserActions } from '@/app/_components/admin/AdminActions';
import { formatUtc } from '@/lib/display/clock';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Admin — Sickbay' };

const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;

/** Users, everyone's live sessions, the engine's health and capacity, and the admin audit log. */
export default async function AdminPage() {
  const me = await pageUser();
  if (me.user.role !== 'admin') notFound();
  const s = services();
  const h = health(s);
  const live = liveSessions(s, me);
  const users = s.auth.users.list();
  const audit = s.auth.audit.list(50);
  const email = new Map(users.map((u) => [u.id, u.email]));
  return (
    <>
      <h1>Admin</h1>
      <section className="admin-section" aria-labelledby="health">
        <h2 id="health">Health and capacity</h2>
        <div className="figures" data-testid="health">
          <div>
            <strong>
              {h.live} / {h.limit}
            </strong>
            live sessions / limit
          </div>
          {h.queue && (
            <div>
              <strong>
                {h.queue.waiting} + {h.queue.provisioning} / {h.queue.capacity}
              </strong>
              queued + provisioning / at once
            </div>
          )}
          <div>
            <strong>
              {gib(h.memory.freeBytes)} / {gib(h.memory.totalBytes)}
            </strong>
            memory free / total
          </div>
          <div>
            <strong>
              {h.cpu.load1.toFixed(2)} / {h.cpu.cores}
            </strong>
            load (1 min) / cores
          </div>
        </div>
      </section>

      <section className="admin-section" aria-labelledby="users">
        <h2 id="users">Users</h2>
        {!h.teamMode ? (
          <p>
            Personal mode: no accounts and no sign-in. <Link href="/setup">Create the first admin</Link> to share this server with a team (from then on everyone signs in).
          </p>
        ) : (
          <>
            <InviteForm />
            <table>
              <thead>
                <tr>
                  <th>E-mail</th>
                  <th>Name</th>
                  <th>Sign-in</th>
                  <th>Status</th>
                  <th>Actions</th>
                </tr>
              </thead>
              <tbody>
                {users.map((u) => (
                  <tr key={u.id} data-user={u.email ?? u.id}>
                    <td>{u.email}</td>
                    <td>{u.name}</td>
                    <td>{[u.hasPassword ? 'password' : null, u.oidc ? 'single sign-on' : null].filter(Boolean).join(', ') || 'invited'}</td>
                    <td>{u.disabled ? 'disabled' : 'active'}</td>
                    <td>
                      <UserActions id={u.id} email={u.email ?? u.id} role={u.role} disabled={u.disabled} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </section>

      <section className="admin-section" aria-labelledby="live">
        <h2 id="live">Live sessions</h2>
        {live.length === 0 ? (
          <p className="meta">None.</p>
        ) : (
          <>
            <EndAll />
            <table>
              <thead>
                <tr>
                  <th>Session</th>
                  <th>Scenario</th>
                  <th>Learner</th>
                  <th>Status</th>
                  <th>Started</th>
                  <th>
                    <span className="visually-hidden">End</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {live.map((x) => (
                  <tr key={x.id}>
                    <td className="mono">
                      <Link href={`/sessions/${x.id}`}>{x.id}</Link>
                    </td>
                    <td>{x.scenario}</td>
                    <td>{x.owner === 'local' ? 'local admin' : x.owner}</td>
                    <td>
                      <span className={`status ${x.status}`}>{x.status}</span>
                    </td>
                    <td>{formatUtc(x.createdAt, true)}</td>
                    <td>
                      <EndSession id={x.id} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </section>

      <section className="admin-section" aria-labelledby="audit">
        <h2 id="audit">Audit log</h2>
        {audit.length === 0 ? (
          <p className="meta">Nothing yet.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>When</th>
                <th>Who</th>
                <th>What</th>
                <th>Detail</th>
              </tr>
            </thead>
            <tbody>
              {audit.map((a) => (
                <tr key={a.id}>
                  <td>{formatUtc(a.at, true)}</td>
                  <td>{a.actorId === 'local' ? 'local admin' : (email.get(a.actorId) ?? a.actorId)}</td>
                  <td className="mono">{a.action}</td>
                  <td>{a.detail ?? a.target ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
