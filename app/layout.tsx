import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: 'Sickbay — practise debugging live containers',
  description: 'Deliberately broken containers, a real terminal, and a score for how safely you debug.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="topbar">
          <Link href="/" className="brand">
            <span className="brand-mark" aria-hidden>✚</span> Sickbay
          </Link>
          <nav>
            <Link href="/">Scenarios</Link>
            <Link href="/sessions">Sessions</Link>
          </nav>
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
