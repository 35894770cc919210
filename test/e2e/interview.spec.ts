/**
 * An interview in Chromium (issue #13, items 1–2): an admin sets one up on the interviews page;
 * the candidate, in a browser of their own and without an account, opens the single-use link,
 * starts and types in the terminal; the interviewer watches the read-only mirror show it; a
 * third browser is refused the link; the candidate submits and sees "Submitted". Its own team
 * server, like accounts.spec.ts.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { startTeamServer, type TeamServer } from './team-server';

let team: TeamServer;

const bufferText = (page: Page, testId: string) => page.getByTestId(testId).evaluate((el) => (el as HTMLElement & { sickbayText: () => string }).sickbayText());

test.beforeAll(async () => {
  team = await startTeamServer('interview');
});

test.afterAll(async () => {
  await team?.stop();
});

test('an interviewer sets up an interview, the candidate works through the link, the interviewer watches the mirror', async ({ page, browser }) => {
  test.setTimeout(420_000);
  const adminLink = team.createAdmin('ada@example.com');
  await page.goto(adminLink);
  await page.getByLabel('New password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Set the password and sign in' }).click();
  await expect(page.getByTestId('whoami')).toHaveText('ada@example.com');

  await page.getByRole('link', { name: 'Interviews' }).click();
  await page.getByLabel('Candidate').fill('Cora');
  await page.getByLabel('Scenario').selectOption('leaky-job');
  await page.getByRole('button', { name: 'Create interview' }).click();
  const link = (await page.getByTestId('candidate-link').textContent())!.trim();
  expect(link).toContain('/interview/join?token=');

  const candidateContext = await browser.newContext();
  const strangerContext = await browser.newContext();
  try {
    const cora = await candidateContext.newPage();
    await cora.goto(link);
    await cora.getByTestId('join-start').click();
    await cora.waitForURL(/\/interview$/, { timeout: 60_000 });
    await expect(cora.getByTestId('interview-countdown')).toHaveText(/^\d+:\d\d left$/);
    await expect(cora.getByTestId('terminal-state')).toHaveAttribute('data-state', 'connected', { timeout: 180_000 });
    await expect(cora.locator('nav')).toHaveCount(0);

    // Another browser cannot use the link.
    const stranger = await strangerContext.newPage();
    await stranger.goto(link);
    await expect(stranger.getByTestId('join-refused')).toContainText('already opened in another browser');

    // The interviewer opens the candidate's session and watches the mirror.
    await page.reload();
    await page.getByTestId('watch-session').click();
    await expect(page.getByTestId('mirror-state')).toHaveAttribute('data-state', 'live', { timeout: 60_000 });
    await cora.getByTestId('terminal').click();
    await cora.keyboard.type('echo interview-$((40+2))-mirrored\n', { delay: 5 });
    await expect.poll(() => bufferText(cora, 'terminal'), { timeout: 30_000 }).toContain('interview-42-mirrored');
    await expect.poll(() => bufferText(page, 'mirror'), { timeout: 30_000 }).toContain('interview-42-mirrored');
    await expect(cora.getByTestId('terminal-state')).toHaveAttribute('data-state', 'connected');

    // The candidate submits; the page says so and shows no score or report.
    cora.on('dialog', (d) => void d.accept());
    await cora.getByTestId('interview-finish').click();
    await expect(cora.getByTestId('interview-submitted')).toBeVisible({ timeout: 120_000 });
    await expect(cora.locator('a[href*="/report"]')).toHaveCount(0);
  } finally {
    await candidateContext.close();
    await strangerContext.close();
  }
});
