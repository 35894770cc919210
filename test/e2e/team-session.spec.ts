/**
 * A session shared by a team in Chromium (issue #14 item 3): an admin starts a session and makes
 * a team of two; the driver types and the commander's terminal, a read-only mirror, shows it;
 * the commander takes the driver seat in one click; now the commander types and the old
 * driver's terminal mirrors it. Two browser contexts; its own team server, like accounts.spec.ts.
 */
import type { Browser, Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { SESSION_START_MS, startTeamServer, type TeamServer } from './team-server';

let team: TeamServer;

const bufferText = (page: Page) => page.getByTestId('terminal').evaluate((el) => (el as HTMLElement & { sickbayText: () => string }).sickbayText());

test.beforeAll(async () => {
  team = await startTeamServer('team-session');
});

test.afterAll(async () => {
  await team?.stop();
});

async function setPassword(page: Page, link: string, password: string): Promise<void> {
  await page.goto(link);
  await page.getByLabel('New password').fill(password);
  await page.getByRole('button', { name: 'Set the password and sign in' }).click();
}

async function member(browser: Browser, link: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await setPassword(page, link, 'a long team member password');
  return { context, page };
}

test('the driver types, the teammate’s mirror shows it; a one-click handover; the new driver types', async ({ page, browser }) => {
  test.setTimeout(SESSION_START_MS + 240_000);
  await setPassword(page, team.createAdmin('ada@example.com'), 'correct horse battery');
  await expect(page.getByTestId('whoami')).toHaveText('ada@example.com');
  const post = async (method: 'POST' | 'PUT', path: string, data: unknown) => {
    const res = await page.request.fetch(`${team.base}${path}`, { method, data, headers: { origin: team.base } });
    expect(res.status(), await res.text()).toBeLessThan(300);
    return res.json();
  };
  const ann = (await post('POST', '/api/admin/users', { email: 'ann@example.com', role: 'learner', name: 'Ann' })) as { user: { id: string }; link: string };
  const bob = (await post('POST', '/api/admin/users', { email: 'bob@example.com', role: 'learner', name: 'Bob' })) as { user: { id: string }; link: string };
  const session = (await post('POST', '/api/sessions', { scenario: 'leaky-job', seed: 'team-e2e' })) as { id: string };
  await post('PUT', `/api/sessions/${session.id}/team`, {
    members: [
      { userId: ann.user.id, role: 'driver' },
      { userId: bob.user.id, role: 'commander' },
    ],
  });

  const a = await member(browser, ann.link);
  const b = await member(browser, bob.link);
  try {
    await a.page.goto(`${team.base}/sessions/${session.id}`);
    await b.page.goto(`${team.base}/sessions/${session.id}`);
    await expect(a.page.getByTestId('team-you')).toHaveAttribute('data-role', 'driver');
    await expect(b.page.getByTestId('team-you')).toHaveAttribute('data-role', 'commander');
    await expect(a.page.getByTestId('team-driver')).toContainText('Ann');
    // Buttons follow the role: members do not end the owner's session; the driver gives the seat.
    await expect(a.page.getByRole('button', { name: 'End session' })).toHaveCount(0);
    await expect(a.page.getByTestId('give-seat')).toBeVisible();
    await expect(b.page.getByTestId('give-seat')).toHaveCount(0);
    await expect(a.page.getByTestId('terminal-state')).toHaveAttribute('data-state', 'connected', { timeout: SESSION_START_MS });
    await expect(b.page.getByTestId('terminal-state')).toHaveAttribute('data-state', 'mirror', { timeout: 60_000 });

    await a.page.getByTestId('terminal').click();
    await a.page.keyboard.type('echo ann-drives-$((40+2))\n', { delay: 5 });
    await expect.poll(() => bufferText(b.page), { timeout: 30_000 }).toContain('ann-drives-42');

    // Bob's keys go nowhere while Ann drives: the server answers "refused".
    await b.page.getByTestId('terminal').click();
    await b.page.keyboard.type('echo bob-too-early-$((1+1))\n', { delay: 5 });
    await expect(b.page.getByTestId('terminal-state')).toHaveAttribute('title', /only the driver types/);

    await b.page.getByTestId('take-seat').click();
    await expect(b.page.getByTestId('terminal-state')).toHaveAttribute('data-state', 'connected', { timeout: 30_000 });
    await expect(a.page.getByTestId('terminal-state')).toHaveAttribute('data-state', 'mirror', { timeout: 30_000 });
    await expect(a.page.getByTestId('team-driver')).toContainText('Bob', { timeout: 15_000 });
    await expect(a.page.getByTestId('give-seat')).toHaveCount(0);

    await b.page.getByTestId('terminal').click();
    await b.page.keyboard.type('echo bob-drives-$((6*7))\n', { delay: 5 });
    await expect.poll(() => bufferText(a.page), { timeout: 30_000 }).toContain('bob-drives-42');
    expect(await bufferText(a.page)).toContain('ann-drives-42'); // the same shell: its screen goes on
    expect(await bufferText(b.page)).not.toContain('bob-too-early-2');
  } finally {
    await a.context.close();
    await b.context.close();
  }
});
