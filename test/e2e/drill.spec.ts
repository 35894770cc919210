/**
 * A team drill in Chromium (issue #14) with five browsers: the facilitator sets up a drill of
 * two teams of two; four participants join by code; both sessions are held until the
 * facilitator's Start, which opens both terminals with one ready time (the drill's start); in
 * each team the first member drives and the second, the commander, sees the driver's terminal
 * as a read-only mirror (their own keys go nowhere); the facilitator watches Red's terminal too;
 * the projector board shows each team's first outside look as it happens, without a reload; the
 * first inject appears on all four participants' pages at 2:00. Its own team server, like
 * accounts.spec.ts.
 */
import type { Browser, BrowserContext, Page } from '@playwright/test';
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

interface Joined {
  context: BrowserContext;
  page: Page;
}

async function participant(browser: Browser, email: string, code: string, teamName: string): Promise<Joined> {
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

test('a facilitator runs a drill for two teams of two: held sessions, one Start, mirrors, the live board and an inject', async ({ page, browser }) => {
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

  // By order of joining: ann drives Red and bob commands it; cat drives Blue and dan commands it.
  const people: Joined[] = [];
  try {
    for (const [email, name] of [
      ['ann@example.com', 'Red'],
      ['cat@example.com', 'Blue'],
      ['bob@example.com', 'Red'],
      ['dan@example.com', 'Blue'],
    ] as const) {
      people.push(await participant(browser, email, code, name));
    }
    const [ann, cat, bob, dan] = people as [Joined, Joined, Joined, Joined];
    const teams = [
      { name: 'Red', driver: ann, commander: bob },
      { name: 'Blue', driver: cat, commander: dan },
    ];

    // Both sessions are provisioned and held; Start waits for them.
    for (const { name } of teams) {
      await expect(page.locator(`tr[data-team="${name}"]`)).toHaveAttribute('data-readiness', 'ready', { timeout: 300_000 });
    }
    for (const { driver } of teams) {
      await driver.page.getByTestId('open-team-session').click();
      await expect(driver.page.getByTestId('console-state')).toHaveAttribute('data-state', 'held');
    }

    await page.getByTestId('drill-start').click();
    await expect(page.getByTestId('drill-room')).toHaveAttribute('data-phase', 'running');
    // Both terminals open by themselves; both sessions have one ready time, the drill's start.
    for (const { driver } of teams) await expect(driver.page.getByTestId('terminal-state')).toHaveAttribute('data-state', 'connected', { timeout: 60_000 });
    const drill = (await (await page.request.get(`${team.base}/api/drills/${drillId}`)).json()) as { drill: { startedAt: string; teams: { sessionId: string }[] } };
    const readyAts = await Promise.all(
      drill.drill.teams.map(async (t) => ((await (await page.request.get(`${team.base}/api/sessions/${t.sessionId}`)).json()) as { readyAt: string }).readyAt),
    );
    expect(readyAts).toEqual([drill.drill.startedAt, drill.drill.startedAt]);

    // Each team's second member holds the commander's seat: the driver's terminal as a mirror.
    for (const { driver, commander } of teams) {
      await commander.page.getByTestId('open-team-session').click();
      await expect(driver.page.getByTestId('team-you')).toHaveAttribute('data-role', 'driver');
      await expect(commander.page.getByTestId('team-you')).toHaveAttribute('data-role', 'commander');
      await expect(commander.page.getByTestId('terminal-state')).toHaveAttribute('data-state', 'mirror', { timeout: 60_000 });
    }

    // The projector board, open in a second tab, follows both teams without a reload.
    const board = await page.context().newPage();
    await board.goto(`${team.base}/drills/${drillId}/board`);
    await expect(board.getByTestId('drill-board').locator('tr[data-team]')).toHaveCount(2);
    for (const { name } of teams) await expect(board.locator(`tr[data-team="${name}"] td[data-cell="outside"]`)).toHaveText('—');

    // The facilitator watches Red through the mirror.
    await page.locator('tr[data-team="Red"]').getByRole('link', { name: 'watch' }).click();
    await expect(page.getByTestId('mirror-state')).toHaveAttribute('data-state', 'live', { timeout: 60_000 });
    for (const { name, driver, commander } of teams) {
      // The driver looks from outside first (the board's first outside look) and types a marker.
      const marker = `${name.toLowerCase()}-$((40+2))-mirrored`;
      const shown = `${name.toLowerCase()}-42-mirrored`;
      await driver.page.getByTestId('terminal').click();
      await driver.page.keyboard.type(`docker stats --no-stream; echo ${marker}\n`, { delay: 5 });
      await expect.poll(() => bufferText(driver.page, 'terminal'), { timeout: 60_000 }).toContain(shown);
      await expect.poll(() => bufferText(commander.page, 'terminal'), { timeout: 30_000 }).toContain(shown);
      if (name === 'Red') await expect.poll(() => bufferText(page, 'mirror'), { timeout: 30_000 }).toContain(shown);
      // The commander's keys go nowhere while the driver drives: the driver's next line shows, theirs never.
      await commander.page.getByTestId('terminal').click();
      await commander.page.keyboard.type(`echo ${name}-not-the-driver\n`, { delay: 5 });
      await expect(commander.page.getByTestId('terminal-state')).toHaveAttribute('title', /only the driver types/);
      await driver.page.getByTestId('terminal').click();
      await driver.page.keyboard.type(`echo ${name}-after-$((1+1))\n`, { delay: 5 });
      await expect.poll(() => bufferText(driver.page, 'terminal'), { timeout: 30_000 }).toContain(`${name}-after-2`);
      expect(await bufferText(driver.page, 'terminal')).not.toContain(`${name}-not-the-driver`);
      await expect(board.locator(`tr[data-team="${name}"] td[data-cell="outside"]`)).toHaveText(/^\d+:\d\d$/, { timeout: 30_000 });
    }

    // The first inject (2:00 on the session clock) shows on every participant's page.
    for (const p of people) await expect(p.page.getByTestId('inject-banner')).toHaveAttribute('data-inject', 'stakeholder-asks', { timeout: 240_000 });
    await expect(board.getByTestId('next-inject')).toContainText('a decision is wanted');
  } finally {
    for (const p of people) await p.context.close();
  }
});
