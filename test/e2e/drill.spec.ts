/**
 * A team drill in Chromium (issue #14) with four browsers: the facilitator sets up a drill of
 * two teams; three participants join by code (two in Red, one in Blue); both sessions are held
 * until the facilitator's Start, which opens both terminals with one ready time; Red's first
 * member drives, the second is the commander and sees the driver's terminal as a read-only
 * mirror (their own keys refused); the facilitator watches Red's terminal too; the board lists
 * both teams; the first inject appears on both teams' pages at 2:00. Its own team server, like
 * accounts.spec.ts.
 */
import type { Browser, Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { startTeamServer, type TeamServer } from './team-server';

let team: TeamServer;
const PASSWORD = 'correct horse battery';

const bufferText = (page: Page, testId: string) => page.getByTestId(testId).evaluate((el) => (el as HTMLElement & { sickbayText: () => string }).sickbayText());

test.beforeAll(async () => {
  team = await startTeamServer('drill');
});

test.afterAll(async () => {
  await team?.stop();
});

async function setPassword(page: Page, link: string, email: string): Promise<void> {
  await page.goto(link);
  await page.getByLabel('New password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Set the password and sign in' }).click();
  await expect(page.getByTestId('whoami')).toHaveText(email);
}

async function participant(browser: Browser, email: string, code: string, teamName: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await setPassword(page, team.createAdmin(email), email);
  await page.getByRole('link', { name: 'Drills' }).click();
  await page.getByTestId('join-code').fill(code.toLowerCase());
  await page.getByRole('button', { name: 'Join', exact: true }).click();
  await page.getByTestId(`join-team-${teamName}`).click();
  await page.waitForURL(/\/drills\/[0-9a-f]{16}$/);
  await expect(page.getByTestId('my-team')).toHaveText(teamName);
  return { context, page };
}

test('a facilitator runs a drill for two teams: held sessions, one Start, the board and an inject', async ({ page, browser }) => {
  test.setTimeout(600_000);
  await setPassword(page, team.createAdmin('ada@example.com'), 'ada@example.com');
  await page.getByRole('link', { name: 'Drills' }).click();
  await page.getByLabel('Name', { exact: true }).fill('Friday game day');
  await page.getByLabel('Scenario').selectOption('leaky-job');
  await page.getByRole('button', { name: 'Create drill' }).click();
  await page.waitForURL(/\/drills\/[0-9a-f]{16}$/);
  const drillId = /\/drills\/([0-9a-f]{16})$/.exec(page.url())![1]!;
  const code = (await page.getByTestId('drill-code').textContent())!.trim();
  expect(code).toMatch(/^[A-Z2-9]{6}$/);

  const red = await participant(browser, 'ann@example.com', code, 'Red');
  const blue = await participant(browser, 'cat@example.com', code, 'Blue');
  const redTwo = await participant(browser, 'bob@example.com', code, 'Red');
  try {
    // Both sessions are provisioned and held; Start waits for them.
    for (const name of ['Red', 'Blue']) {
      await expect(page.locator(`tr[data-team="${name}"]`)).toHaveAttribute('data-readiness', 'ready', { timeout: 300_000 });
    }
    await red.page.getByTestId('open-team-session').click();
    await expect(red.page.getByTestId('console-state')).toHaveAttribute('data-state', 'held');
    await blue.page.getByTestId('open-team-session').click();
    await expect(blue.page.getByTestId('console-state')).toHaveAttribute('data-state', 'held');

    await page.getByTestId('drill-start').click();
    await expect(page.getByTestId('drill-room')).toHaveAttribute('data-phase', 'running');
    // Both terminals open by themselves, and the two sessions share one ready time.
    await expect(red.page.getByTestId('terminal-state')).toHaveAttribute('data-state', 'connected', { timeout: 60_000 });
    await expect(blue.page.getByTestId('terminal-state')).toHaveAttribute('data-state', 'connected', { timeout: 60_000 });
    // Red's second member holds the commander's seat: the driver's terminal as a mirror.
    await redTwo.page.getByTestId('open-team-session').click();
    await expect(red.page.getByTestId('team-you')).toHaveAttribute('data-role', 'driver');
    await expect(redTwo.page.getByTestId('team-you')).toHaveAttribute('data-role', 'commander');
    await expect(redTwo.page.getByTestId('terminal-state')).toHaveAttribute('data-state', 'mirror', { timeout: 60_000 });
    const drill = (await (await page.request.get(`${team.base}/api/drills/${drillId}`)).json()) as { drill: { teams: { sessionId: string }[] } };
    const readyAts = await Promise.all(
      drill.drill.teams.map(async (t) => ((await (await page.request.get(`${team.base}/api/sessions/${t.sessionId}`)).json()) as { readyAt: string }).readyAt),
    );
    expect(readyAts[0]).toBe(readyAts[1]);

    // The board lists both teams; the facilitator watches Red type through the mirror.
    await expect(page.getByTestId('drill-board').locator('tr[data-team]')).toHaveCount(2);
    await page.locator('tr[data-team="Red"]').getByRole('link', { name: 'watch' }).click();
    await expect(page.getByTestId('mirror-state')).toHaveAttribute('data-state', 'live', { timeout: 60_000 });
    await red.page.getByTestId('terminal').click();
    await red.page.keyboard.type('echo drill-$((40+2))-mirrored\n', { delay: 5 });
    await expect.poll(() => bufferText(red.page, 'terminal'), { timeout: 30_000 }).toContain('drill-42-mirrored');
    await expect.poll(() => bufferText(page, 'mirror'), { timeout: 30_000 }).toContain('drill-42-mirrored');
    await expect.poll(() => bufferText(redTwo.page, 'terminal'), { timeout: 30_000 }).toContain('drill-42-mirrored');
    // The commander's keys go nowhere while the driver drives.
    await redTwo.page.getByTestId('terminal').click();
    await redTwo.page.keyboard.type('echo not-the-driver\n', { delay: 5 });
    await expect(redTwo.page.getByTestId('terminal-state')).toHaveAttribute('title', /only the driver types/);

    // The first inject (2:00 on the session clock) shows on both teams' pages.
    for (const p of [red.page, blue.page]) {
      await expect(p.getByTestId('inject-banner')).toHaveAttribute('data-inject', 'stakeholder-asks', { timeout: 240_000 });
    }
    await page.goto(`${team.base}/drills/${drillId}/board`);
    await expect(page.getByTestId('next-inject')).toContainText('a decision is wanted');
  } finally {
    await red.context.close();
    await blue.context.close();
    await redTwo.context.close();
  }
});
