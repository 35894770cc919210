/**
 * An interview in Chromium (issue #13, items 1–2): an admin sets one up on the interviews page;
 * the candidate, in a browser of their own and without an account, opens the single-use link,
 * starts and types in the terminal; the interviewer watches the read-only mirror show it; a
 * third browser is refused the link; the candidate submits and sees "Submitted". Items 3–5: the
 * interviewer's live view tags the candidate's command with its tier while they pin a note; the
 * candidate cannot reach notes or rubric; the rubric is overridden and its Markdown, JSON and PDF
 * downloads carry every item, the override and the note. Its own team server, like accounts.spec.ts.
 */
import fs from 'node:fs';
import type { Download, Page } from '@playwright/test';
import { pdfText } from '../pdf-text';
import { expect, test } from './fixtures';
import { SESSION_START_MS, startTeamServer, type TeamServer } from './team-server';

let team: TeamServer;

const bufferText = (page: Page, testId: string) => page.getByTestId(testId).evaluate((el) => (el as HTMLElement & { sickbayText: () => string }).sickbayText());

test.beforeAll(async () => {
  team = await startTeamServer('interview');
});

test.afterAll(async () => {
  await team?.stop();
});

test('an interviewer sets up an interview, the candidate works through the link, the interviewer watches the mirror', async ({ page, browser }) => {
  test.setTimeout(600_000);
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
    await expect(cora.getByTestId('terminal-state')).toHaveAttribute('data-state', 'connected', { timeout: SESSION_START_MS });
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

    // The live view: the mirror beside the risk-tagged timeline; a note pinned while the candidate types.
    await page.goto(`${team.base}/interviews`);
    await page.getByTestId('live-view').click();
    await page.waitForURL(/\/interviews\/[0-9a-f]{16}$/);
    const interviewId = /\/interviews\/([0-9a-f]{16})$/.exec(page.url())![1]!;
    await expect(page.getByTestId('mirror-state')).toHaveAttribute('data-state', 'live', { timeout: 60_000 });
    await expect(page.getByTestId('live-budgets').locator('li')).toHaveCount(3);
    await page.getByTestId('note-text').fill('Starts with the logs, good');
    await cora.getByTestId('terminal').click();
    await cora.keyboard.type('docker logs --tail 3 api\n', { delay: 5 });
    await page.getByTestId('note-add').click();
    await expect(page.getByTestId('note-list')).toContainText('Starts with the logs, good');
    const entry = page.getByTestId('live-entries').locator('li', { hasText: 'docker logs --tail 3 api' }).first();
    await expect(entry).toHaveAttribute('data-tier', 'external', { timeout: 30_000 });
    await expect(entry).toContainText('look from outside');
    await expect(page.getByTestId('live-budgets').locator('li').first()).toHaveAttribute('data-state', 'met');
    await expect(cora.getByTestId('terminal-state')).toHaveAttribute('data-state', 'connected');

    // The candidate's diagnosis form lists their own steps as evidence to cite.
    await expect(cora.getByTestId('evidence-picker')).toContainText('docker logs --tail 3 api', { timeout: 30_000 });

    // None of it reaches the candidate.
    for (const route of [`/api/interviews/${interviewId}/notes`, `/api/interviews/${interviewId}/rubric`, `/api/interviews/${interviewId}/rubric?format=pdf`]) {
      expect((await cora.request.get(`${team.base}${route}`)).status(), route).toBe(404);
    }
    for (const route of [`/interviews/${interviewId}`, `/interviews/${interviewId}/rubric`]) {
      expect((await cora.request.get(`${team.base}${route}`)).status(), route).toBe(404);
    }

    // The candidate submits; the page says so and shows no score or report.
    cora.on('dialog', (d) => void d.accept());
    await cora.getByTestId('interview-finish').click();
    await expect(cora.getByTestId('interview-submitted')).toBeVisible({ timeout: 120_000 });
    await expect(cora.locator('a[href*="/report"]')).toHaveCount(0);

    // The rubric: pre-filled from the report; an override keeps the original; a recommendation; three exports.
    await page.getByTestId('rubric-link').click();
    await page.waitForURL(/\/rubric$/);
    // The report is made as the session ends: until then the page says it is waiting.
    await expect
      .poll(
        async () => {
          if ((await page.getByTestId('export-pdf').count()) === 0) await page.reload();
          return page.getByTestId('export-pdf').count();
        },
        { timeout: 120_000, intervals: [1000] },
      )
      .toBe(1);
    const first = page.locator('article[data-item]').first();
    await first.locator('input[name="reason"]').fill('We agreed on this step beforehand');
    await first.locator('select[name="status"]').selectOption('not-applicable');
    await first.getByRole('button', { name: 'Override' }).click();
    await expect(first.getByTestId('item-override')).toContainText('We agreed on this step beforehand');
    await expect(first.getByTestId('item-original')).toContainText('Report:');
    await page.getByLabel('Why this recommendation').fill('Calm and methodical');
    await page.getByRole('button', { name: 'Recommend' }).click();
    await expect(page.getByTestId('recommendation')).toContainText('Calm and methodical');
    const titles = await page.locator('article[data-item] h3').evaluateAll((hs) => hs.map((h) => (h.textContent ?? '').replace(/^.*? — /, '')));
    expect(titles.length).toBeGreaterThan(5);
    const save = async (testId: string): Promise<Buffer> => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
      return fs.readFileSync((await (download as Download).path())!);
    };
    const markdown = (await save('export-markdown')).toString('utf8');
    const jsonText = (await save('export-json')).toString('utf8');
    const pdf = await save('export-pdf');
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const pdfLines = pdfText(pdf).join(' ');
    for (const text of [...titles, 'We agreed on this step beforehand', 'Starts with the logs, good', 'Calm and methodical']) {
      expect(markdown, text).toContain(text);
      expect(jsonText, text).toContain(JSON.stringify(text).slice(1, -1));
      expect(pdfLines, text).toContain(text);
    }

    // The replay shows the note and the override beside the session's events.
    await page.goto(`${team.base}/interviews/${interviewId}`);
    await page.getByRole('link', { name: 'Replay' }).click();
    await expect(page.getByTestId('replay-events').locator('li[data-kind="note"]')).toContainText('Starts with the logs, good', { timeout: 60_000 });
    await expect(page.getByTestId('replay-events').locator('li[data-kind="override"]').first()).toContainText('We agreed on this step beforehand');
  } finally {
    await candidateContext.close();
    await strangerContext.close();
  }
});
