/**
 * A team server in Chromium (issue #12): the first admin from `npm run admin -- create`, who
 * invites a learner on the admin page; the learner opens the link, chooses a password, is
 * signed in, starts a drill and sees only their own sessions — not the admin's. This spec runs
 * its own server (PORT=0, its own data dir and instance): the suite's shared server stays in
 * personal mode for the other specs.
 */
import { expect, test } from './fixtures';
import { startTeamServer, type TeamServer } from './team-server';

let team: TeamServer;
let base = '';

test.beforeAll(async () => {
  team = await startTeamServer('team');
  base = team.base;
});

test.afterAll(async () => {
  await team?.stop();
});

test('an admin invites a learner, who signs in, starts a drill and sees only their own sessions', async ({ page, browser }) => {
  test.setTimeout(420_000);
  // The first admin, as the operator makes it on the machine.
  const adminLink = team.createAdmin('ada@example.com');

  // Team mode now: signed out, every page leads to the sign-in.
  await page.goto(`${base}/sessions`);
  await expect(page).toHaveURL(/\/signin\?next=%2Fsessions$/);

  await page.goto(adminLink);
  await expect(page.getByTestId('link-email')).toHaveText('ada@example.com');
  await page.getByLabel('New password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Set the password and sign in' }).click();
  await expect(page.getByTestId('whoami')).toHaveText('ada@example.com');

  // The admin starts a drill of their own (and ends it): the learner must never see it.
  await page.goto(`${base}/scenarios/leaky-job`);
  await page.getByRole('button', { name: 'Start drill' }).click();
  await page.waitForURL(/\/sessions\/[0-9a-f]{12}$/);
  const adminSession = /\/sessions\/([0-9a-f]{12})$/.exec(page.url())![1]!;
  const ended = await page.request.delete(`${base}/api/sessions/${adminSession}`, { headers: { origin: base } });
  expect(ended.status()).toBe(200);

  await page.getByRole('link', { name: 'Admin' }).click();
  await page.getByLabel('E-mail to invite').fill('lea@example.com');
  await page.getByLabel('Role to invite').selectOption('learner');
  await page.getByRole('button', { name: 'Invite' }).click();
  const inviteLink = (await page.getByTestId('invite-link').textContent())!.trim();
  expect(inviteLink).toContain('/auth/set-password?token=');
  await expect(page.locator('tr[data-user="lea@example.com"]')).toContainText('invited');

  // The learner, in a browser of their own.
  const learner = await browser.newContext();
  const lea = await learner.newPage();
  try {
    await lea.goto(inviteLink);
    await expect(lea.getByTestId('link-email')).toHaveText('lea@example.com');
    await lea.getByLabel('New password').fill('lea has a long password');
    await lea.getByRole('button', { name: 'Set the password and sign in' }).click();
    await expect(lea.getByTestId('whoami')).toHaveText('lea@example.com');
    await expect(lea.getByRole('link', { name: 'Admin' })).toHaveCount(0);

    await lea.goto(`${base}/scenarios/leaky-job`);
    await lea.getByRole('button', { name: 'Start drill' }).click();
    await lea.waitForURL(/\/sessions\/[0-9a-f]{12}$/);
    const own = /\/sessions\/([0-9a-f]{12})$/.exec(lea.url())![1]!;
    await expect(lea.getByTestId('session-status')).toHaveText(/ready/i, { timeout: 180_000 });

    await lea.getByRole('link', { name: 'Sessions' }).click();
    const rows = lea.locator('tbody tr');
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText(own);
    await expect(lea.locator('body')).not.toContainText(adminSession);
    // The admin's session does not exist for her, by URL either.
    const other = await lea.goto(`${base}/sessions/${adminSession}`);
    expect(other?.status()).toBe(404);
    expect((await lea.goto(`${base}/admin`))?.status()).toBe(404);

    // The admin sees it, with its learner.
    await page.goto(`${base}/admin`);
    await expect(page.getByRole('row', { name: new RegExp(own) })).toContainText('lea@example.com');
  } finally {
    await learner.close();
  }
});
