import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

// The Customers chart on the session page: drawn by uPlot under the page's CSP, fed by the
// customers' per-second signal while the session runs, with a marker for a typed command.

const terminal = (page: Page) => page.getByTestId('terminal');
const screenText = (page: Page) => terminal(page).evaluate((el) => (el as HTMLElement & { sickbayText: () => string }).sickbayText());

test('the Customers chart follows the customers live and marks a typed command', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto('/scenarios/leaky-job');
  await page.getByRole('button', { name: /^(Start drill|Try again with a new culprit)$/ }).click();
  await page.waitForURL(/\/sessions\/[0-9a-f]{12}$/);
  await expect(page.getByTestId('session-status')).toHaveText(/ready/i, { timeout: 150_000 });

  await page.getByRole('tab', { name: 'Customers' }).click();
  const chart = page.getByTestId('customer-chart');
  await expect(chart).toBeVisible();
  await expect(chart.locator('.customer-plot canvas')).toBeVisible();
  await expect(chart).toContainText(/call http:\/\/api:\d+\/api\/orders 4 times a second/);
  await expect(page.getByTestId('budget-clocks')).toContainText('0:30');

  // Updates while the session runs: more seconds on the chart a little later.
  const seconds = async () => Number(await chart.getAttribute('data-seconds'));
  await expect.poll(seconds, { timeout: 60_000, message: 'the first seconds of the customers' }).toBeGreaterThan(2);
  const first = await seconds();
  await expect.poll(seconds, { timeout: 60_000, message: 'the chart keeps growing' }).toBeGreaterThan(first + 2);
  await expect(page.getByTestId('error-budget')).toContainText(/requests failed/);

  // A typed command becomes a marker on the same time axis.
  await expect(page.getByTestId('terminal-state')).toHaveAttribute('data-state', 'connected', { timeout: 30_000 });
  await expect.poll(() => screenText(page), { timeout: 30_000, message: 'the console prompt' }).toContain('learner@');
  await terminal(page).click();
  await page.keyboard.type('docker stats --no-stream', { delay: 5 });
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('customer-markers')).toContainText('docker stats --no-stream', { timeout: 30_000 });
  expect(Number(await chart.getAttribute('data-markers'))).toBeGreaterThanOrEqual(1);
  // The hidden customers are not the learner's: the console's docker ps shows the API only.
  await terminal(page).click();
  await page.keyboard.type('docker ps --format "name={{.Names}}"', { delay: 5 });
  await page.keyboard.press('Enter');
  await expect.poll(() => screenText(page), { timeout: 30_000 }).toMatch(/^name=sickbay-[0-9a-f]{12}-api\s*$/m);
  expect(await screenText(page)).not.toMatch(/^name=\S+-traffic/m);

  await page.getByRole('button', { name: 'End session' }).click();
  await expect(page.getByTestId('session-status')).toHaveText(/ended/i, { timeout: 120_000 });
});
