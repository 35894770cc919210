import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from './fixtures';

/** scenarios/<slug>/forbidden-words.txt: words that name the scenario's mechanism (issue 17, item 6). */
function forbiddenWords(slug: string): string[] {
  const text = fs.readFileSync(path.resolve('scenarios', slug, 'forbidden-words.txt'), 'utf8');
  return text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
}
const named = (text: string, words: string[]) => words.filter((w) => new RegExp(`(^|[^a-z0-9])${w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'i').test(text.replaceAll('-', ' ')) || text.toLowerCase().split(/[^a-z0-9]+/).some((p) => p.startsWith(w)));

test('no catalogue tag names a scenario\'s mechanism', async ({ page }) => {
  await page.goto('/');
  const cards = page.locator('article[data-scenario]');
  await expect(cards.first()).toBeVisible();
  const slugs = await cards.evaluateAll((els) => els.map((e) => e.getAttribute('data-scenario') ?? ''));
  expect(slugs.length).toBeGreaterThanOrEqual(8);
  for (const slug of slugs) {
    const tags = await page.locator(`article[data-scenario="${slug}"] .tags .pill`).allInnerTexts();
    expect(tags.length, `${slug} shows tags`).toBeGreaterThan(0);
    for (const tag of tags) expect(named(tag, forbiddenWords(slug)), `${slug}: tag "${tag}"`).toEqual([]);
  }
});

test('start leaky-job from the catalogue, see it ready, check goals, end it', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'All scenarios' })).toBeVisible();
  const card = page.locator('article[data-scenario="leaky-job"]');
  await expect(card.getByRole('heading', { name: 'Orders API failing at peak' })).toBeVisible();
  await expect(card.getByText('beginner')).toBeVisible();

  // A card opens the scenario's page; the drill starts from there.
  await card.getByRole('link', { name: 'Orders API failing at peak' }).click();
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
  // Outcome titles while the session runs: the mechanism ("the runaway job") only in the report.
  await expect(goals).toContainText('The API has its memory back and stops failing at peak');
  for (const title of await goals.locator('li').allInnerTexts()) expect(named(title.split('\n')[0] ?? '', forbiddenWords('leaky-job')), title).toEqual([]);
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
