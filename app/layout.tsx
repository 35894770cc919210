import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { pagePrincipal } from './_lib/auth';
import './globals.css';

// Every page is rendered per request, the not-found page included: each response's scripts
// carry that response's CSP nonce (server/web/guard.ts), which a prerendered page cannot.
export const dynamic = 'force-dynamic';

export const metadata: Metadata = {
  title: 'Sickbay — practise debugging live containers',
  description: 'Deliberately broken containers, a real terminal, and a score for how safely you debug.',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const me = await pagePrincipal();
  const role = me?.user.role;
  return (
    <html lang="en">
      <body>
        <header className="topbar">
          <Link href="/" className="brand">
            <span className="brand-mark" aria-hidden>✚</span> Sickbay
          </Link>
          {me && !me.candidate && (
            <nav>
              <Link href="/">Scenarios</Link>
              <Link href="/progress">Progress</Link>
              <Link href="/sessions">Sessions</Link>
              {me.via !== 'personal' && (role === 'facilitator' || role === 'admin') && <Link href="/cohorts">Cohorts</Link>}
              {me.via !== 'personal' && (role === 'facilitator' || role === 'admin') && <Link href="/interviews">Interviews</Link>}
              {me.via !== 'personal' && <Link href="/drills">Drills</Link>}
              {role === 'admin' && <Link href="/admin">Admin</Link>}
              {me.via !== 'personal' && (
                <Link href="/account" data-testid="whoami">
                  {me.user.email ?? me.user.name}
                </Link>
              )}
            </nav>
          )}
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
