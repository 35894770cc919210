import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

// One learner's whole drill through the browser terminal: real shell, real Docker proxy, resize,
// reload onto the same shell, hint, diagnosis, update, end, report and replay.

const terminal = (page: Page) => page.getByTestId('terminal');

/** The terminal's whole buffer as text (Terminal.tsx defines sickbayText() on the host). */
async function screenText(page: Page): Promise<string> {
  return terminal(page).evaluate((el) => (el as HTMLElement & { sickbayText: () => string }).sickbayText());
}

/** Types a command line into the terminal (focused by a click first) and presses Enter. */
async function run(page: Page, line: string) {
  await terminal(page).click();
  await page.keyboard.type(line, { delay: 5 });
  await page.keyboard.press('Enter');
}

/** Every output line matching `re` (anchored at a line start, so the echoed command line never matches). */
async function matches(page: Page, re: RegExp): Promise<RegExpMatchArray[]> {
  return [...(await screenText(page)).matchAll(new RegExp(re.source, 'gm'))];
}

/** "1:05" -> 65, "1:02:03" -> 3723. */
function seconds(clock: string): number {
  return clock
    .trim()
    .split(':')
    .reduce((acc, part) => acc * 60 + Number(part), 0);
}

/** Runs `echo cols=$(tput cols)` and returns the number it prints (the newest such line). */
async function tputCols(page: Page): Promise<number> {
  const before = (await matches(page, /^cols=(\d+)\s*$/)).length;
  await run(page, 'echo cols=$(tput cols)');
  let found: RegExpMatchArray[] = [];
  await expect
    .poll(async () => {
      found = await matches(page, /^cols=(\d+)\s*$/);
      return found.length;
    }, { message: 'waiting for the tput output' })
    .toBeGreaterThan(before);
  return Number(found[found.length - 1]![1]);
}

test('the terminal: docker ps, resize, reload onto the same shell, diagnosis, report and replay', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto('/scenarios/leaky-job');
  // The label says "Try again with a new culprit" once this lab has a leaky-job attempt (catalogue.spec).
  await page.getByRole('button', { name: /^(Start drill|Try again with a new culprit)$/ }).click();
  await page.waitForURL(/\/sessions\/[0-9a-f]{12}$/);
  const id = /\/sessions\/([0-9a-f]{12})$/.exec(page.url())![1]!;

  // What is timed is announced in the briefing, from the scoring rules' own budgets.
  const timed = page.getByTestId('timed-box');
  await expect(timed).toContainText('0:30 outside health check');
  await expect(timed).toContainText('2:00 logs and resource usage');
  await expect(timed).toContainText('5:00 look inside');

  const status = page.getByTestId('session-status');
  await expect(status).toHaveText(/ready/i, { timeout: 150_000 });

  // One clock: the header timer counts from ready, not from creation, so it reads now - ready.
  const view = (await (await page.request.get(`/api/sessions/${id}`)).json()) as { createdAt: string; readyAt: string };
  const readyAt = Date.parse(view.readyAt);
  const timer = page.getByTestId('session-timer');
  await expect(timer).toHaveAttribute('data-since', view.readyAt);
  const before = Date.now();
  const shown = await timer.textContent();
  const after = Date.now();
  expect(shown).toMatch(/^\d+:\d\d$/);
  expect(seconds(shown!)).toBeGreaterThanOrEqual(Math.floor((before - readyAt) / 1000) - 2);
  expect(seconds(shown!)).toBeLessThanOrEqual(Math.floor((after - readyAt) / 1000) + 1);

  const state = page.getByTestId('terminal-state');
  await expect(state).toHaveAttribute('data-state', 'connected', { timeout: 30_000 });
  // Keys typed before the shell's first prompt are input to nothing yet (the typed-line log
  // starts at the prompt): wait for it, as a person would.
  await expect.poll(() => screenText(page), { timeout: 30_000, message: 'the console prompt' }).toContain('learner@');

  // The Docker CLI in the console sees this session's containers.
  await run(page, 'docker ps');
  await expect.poll(() => screenText(page), { timeout: 30_000, message: 'docker ps lists the api container' }).toContain(`sickbay-${id}-api`);

  // Tab is bash completion inside the terminal; Ctrl+Shift+L leaves it, onto the side panel's
  // tabs, which arrow keys move between.
  await page.keyboard.press('Control+Shift+L');
  await expect(page.getByRole('tab', { name: 'Briefing' })).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('tab', { name: 'Customers' })).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('tab', { name: /Goals/ })).toBeFocused();
  await expect(page.getByRole('tab', { name: /Goals/ })).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Home');
  await expect(page.getByRole('tab', { name: 'Briefing' })).toHaveAttribute('aria-selected', 'true');

  // Set a mark in this shell, to recognise it after the reload.
  await run(page, 'export E2E_MARK=x');

  // The shell follows the terminal's size.
  const wide = await tputCols(page);
  expect(await terminal(page).getAttribute('data-cols')).toBe(String(wide));
  await page.setViewportSize({ width: 760, height: 900 });
  await expect(terminal(page)).not.toHaveAttribute('data-cols', String(wide));
  const narrow = await tputCols(page);
  expect(narrow).not.toBe(wide);
  expect(await terminal(page).getAttribute('data-cols')).toBe(String(narrow));
  await page.setViewportSize({ width: 1280, height: 900 });

  // A reload finds the same shell.
  await page.reload();
  await expect(state).toHaveAttribute('data-state', 'connected', { timeout: 30_000 });
  await run(page, 'echo $E2E_MARK');
  await expect.poll(async () => (await matches(page, /^x\s*$/)).length, { message: 'the same shell still has E2E_MARK' }).toBeGreaterThan(0);

  // A hint.
  await page.getByRole('tab', { name: /Hints/ }).click();
  await page.getByRole('button', { name: /Show hint 1 of/ }).click();
  await expect(page.getByTestId('hints').getByRole('listitem')).toHaveCount(1);
  // A drill the learner starts runs in coach mode, whose next-step
  // hint follows what was done (docker ps above was a look from outside).
  await page.getByRole('button', { name: 'What should I do next?' }).click();
  await expect(page.getByTestId('coach-step')).toContainText('Coach:');
  await expect(page.getByTestId('coach-step')).not.toContainText('not looked from outside');

  // A diagnosis citing the docker ps typed above, and a stakeholder update.
  await page.getByRole('tab', { name: 'Diagnosis' }).click();
  const diagnosis = page.getByRole('region', { name: 'Diagnosis' });
  await diagnosis.getByLabel('Root cause').selectOption('runaway-process');
  await diagnosis.getByLabel(/Culprit/).fill('the background job');
  // The picker lists typed command lines, newest first, each with its Docker calls folded underneath.
  const picker = page.getByTestId('evidence-picker');
  await expect(picker.locator(':scope > li').first()).toContainText('docker ps');
  await expect(picker.locator(':scope > li > label')).not.toContainText(['docker ping']);
  await expect(picker.locator(':scope > li').first().locator('summary')).toHaveText(/\d+ Docker calls?/);
  await diagnosis.getByRole('checkbox', { name: /docker ps/ }).first().check();
  await diagnosis.getByLabel('fix in place').check();
  await diagnosis.getByLabel('Why this decision?').fill('stopping the job keeps the API and its in-flight orders');
  await diagnosis.getByRole('button', { name: 'Submit diagnosis' }).click();
  await expect(page.getByTestId('diagnosis-result')).toHaveText(/Diagnosis recorded/);
  await diagnosis
    .getByLabel(/incident channel/)
    .fill('Impact: some checkouts failed with 500s. Cause: a background job leaking memory in the API container. Next: stop it and watch.');
  await diagnosis.getByRole('button', { name: 'Send update' }).click();
  await expect(page.getByTestId('update-result')).toHaveText(/Update sent/);
  await page.getByRole('tab', { name: 'Timeline' }).click();
  await expect(page.getByTestId('timeline')).toContainText('diagnosis submitted (runaway-process');
  await expect(page.getByTestId('timeline')).toContainText('stakeholder update written');

  // Nothing sent is lost by a reload: the last diagnosis fills the form again, marked with
  // when it was sent, and the updates sent are listed.
  await page.reload();
  await page.getByRole('tab', { name: 'Diagnosis' }).click();
  await expect(page.getByTestId('diagnosis-submitted')).toHaveText(/Submitted at \d+:\d\d/);
  await expect(diagnosis.getByLabel('Root cause')).toHaveValue('runaway-process');
  await expect(diagnosis.getByLabel(/Culprit/)).toHaveValue('the background job');
  await expect(diagnosis.getByLabel('Why this decision?')).toHaveValue('stopping the job keeps the API and its in-flight orders');
  await expect(diagnosis.getByLabel('fix in place')).toBeChecked();
  await expect(diagnosis.getByRole('checkbox', { name: /docker ps/ }).first()).toBeChecked();
  await expect(page.getByTestId('updates-sent')).toContainText('Cause: a background job leaking memory in the API container.');

  // End, then the report: a total score and the truth.
  await page.getByRole('button', { name: 'End session' }).click();
  await expect(status).toHaveText(/ended/i, { timeout: 90_000 });
  const endCard = page.getByTestId('console-state');
  await expect(endCard).toContainText(/after \d+:\d\d/);
  const drill = /after (\d+:\d\d)/.exec((await endCard.textContent()) ?? '')![1]!;
  await expect(page.getByTestId('session-timer')).toHaveText(drill);
  await page.getByRole('link', { name: /report/i }).click();
  await page.waitForURL(new RegExp(`/sessions/${id}/report$`));
  await expect(page.getByTestId('report-total')).toHaveText(/^\d{1,3}\s*\/\s*100$/);
  // The same clock as the session page: ready to end.
  await expect(page.getByTestId('report-duration')).toContainText(`${drill} from ready to end`);
  await expect(page.getByTestId('report-truth')).toContainText('The culprit was');
  // The emergency timeline is drawn against its budgets: the docker ps above was the outside look.
  await expect(page.getByTestId('report-timeline')).toContainText('outside health check at');
  await expect(page.getByTestId('report-rules').locator('li[data-rule]').first()).toBeVisible();
  await expect(page.getByText('1 hint taken')).toBeVisible();

  // Every cited moment, by event id, with its time as the report shows it.
  const cited = new Map(
    await page
      .locator('[data-testid=report-rules] li[data-event]')
      .evaluateAll((els) => els.map((el) => [el.getAttribute('data-event') ?? '', el.querySelector('a')?.textContent?.trim() ?? ''] as const)),
  );
  expect(cited.size).toBeGreaterThan(0);
  const typedPs = page.locator('[data-testid=report-rules] li[data-event]', { hasText: 'typed: docker ps' }).first();
  const psTime = (await typedPs.locator('a').textContent())!.trim();

  // A cited time opens the replay there: its clock shows the same moment.
  await typedPs.locator('a').click();
  await page.waitForURL(new RegExp(`/sessions/${id}/replay\\?t=\\d+$`));
  await expect(page.getByTestId('replay-toggle')).toBeEnabled({ timeout: 30_000 });
  await expect.poll(async () => Math.abs(seconds((await page.getByTestId('replay-clock').textContent()) ?? '') - seconds(psTime)), { message: 'the replay opens at the cited moment' }).toBeLessThanOrEqual(1);

  // The replay's event list times each event as the report does.
  const listed = page.locator('[data-testid=replay-events] li[data-event]');
  await expect(listed.first()).toBeVisible({ timeout: 30_000 });
  const replayTimes = await listed.evaluateAll((els) => els.map((el) => [el.getAttribute('data-event') ?? '', el.querySelector('button span')?.textContent?.trim() ?? ''] as const));
  const both = replayTimes.filter(([eid]) => cited.has(eid));
  expect(both.length).toBeGreaterThan(0);
  for (const [eid, time] of both) expect(time, `event ${eid}`).toBe(cited.get(eid));

  // The replay shows what was typed, on the player's screen (not only in the marker tooltips).
  await page.goto(`/sessions/${id}/replay`);
  const toggle = page.getByTestId('replay-toggle');
  await expect(toggle).toBeEnabled({ timeout: 30_000 });
  await page.getByRole('group', { name: 'Speed' }).getByRole('button', { name: '8×' }).click();
  await expect(page.getByRole('group', { name: 'Speed' }).getByRole('button', { name: '8×' })).toHaveAttribute('aria-pressed', 'true');
  await page.getByTestId('replay-toggle').click();
  await expect(page.locator('[data-testid=replay-player] .ap-term')).toContainText('docker ps', { timeout: 60_000 });
});
