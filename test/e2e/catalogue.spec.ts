import { expect, test } from './fixtures';

test('start leaky-job from the catalogue, see it ready, check goals, end it', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'All scenarios' })).toBeVisible();
  const card = page.locator('article[data-scenario="leaky-job"]');
  await expect(card.getByRole('heading', { name: 'The leaky background job' })).toBeVisible();
  await expect(card.getByText('beginner')).toBeVisible();

  // A card opens the scenario's page; the drill starts from there.
  await card.getByRole('link', { name: 'The leaky background job' }).click();
  await page.waitForURL(/\/scenarios\/leaky-job$/);
  await page.getByRole('button', { name: 'Start drill' }).click();
  await page.waitForURL(/\/sessions\/[0-9a-f]{12}$/);
  await expect(page.getByRole('region', { name: 'Briefing' }).getByText('Incident: intermittent 500s')).toBeVisible();

  const status = page.getByTestId('session-status');
  await expect(status).toHaveText(/ready/i, { timeout: 150_000 });
  await expect(page.getByRole('cell', { name: 'api', exact: true })).toBeVisible();
  await expect(page.getByTestId('timeline')).toContainText('fault injected');

  await page.getByRole('button', { name: 'Check goals' }).click();
  const goals = page.getByTestId('goals');
  await expect(goals).toContainText('The runaway job is no longer running');
  await expect(page.getByRole('heading', { name: /Goals: [0-2]\/3 met/ })).toBeVisible();

  await page.getByRole('button', { name: 'End session' }).click();
  await expect(status).toHaveText(/ended/i, { timeout: 60_000 });
  await expect(page.getByRole('button', { name: 'End session' })).toBeDisabled();
});

test('an unknown session shows a not-found page', async ({ page }) => {
  const res = await page.goto('/sessions/000000000000');
  expect(res?.status()).toBe(404);
  await expect(page.getByText('There is no such page or session')).toBeVisible();
});
