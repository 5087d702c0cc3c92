// The keyboard alone: a focal point signs in, finds an activity and posts a
// status update with Tab, Shift+Tab, typing, Space and Enter, never a click;
// at every stop the focus must be visible.

import assert from 'node:assert/strict';

import { focus } from './support/audit.mjs';
import { en } from './support/catalog.mjs';
import { PASSWORD, journey } from './support/harness.mjs';

journey('keyboard: a focal point signs in and posts an update without a mouse', async (kit) => {
  const { page } = kit;
  const stops = [];

  /** One key press; the focus must then be visible. */
  async function press(key) {
    await page.keyboard.press(key);
    const now = await focus(page);
    stops.push(`${key} → ${now.target}`);
    assert.ok(now.visible, `after ${key} the focus on ${now.target} cannot be seen (${now.why})`);
    return now;
  }

  /** Tab until the focused element matches `selector` (and contains `text`). */
  async function tabTo(selector, text = '', limit = 150) {
    for (let i = 0; i < limit; i += 1) {
      await press('Tab');
      const found = await page.evaluate(
        ([s, text]) => !!document.activeElement?.matches(s) && document.activeElement.textContent.includes(text),
        [selector, text],
      );
      if (found) return;
    }
    assert.fail(`${selector} is not reachable with Tab (stops: ${stops.slice(-10).join('; ')})`);
  }

  /** Enter on the focused link or button, then the page it leads to is audited. */
  const enter = () => kit.navigate(() => page.keyboard.press('Enter'));

  await kit.go('/login');
  await page.keyboard.press('Tab');
  assert.equal((await focus(page)).target.startsWith('a.skip-link'), true, 'the first stop skips to the content');
  await tabTo('#email');
  await page.keyboard.type('focal@veridia.example');
  await press('Tab');
  await page.keyboard.type(PASSWORD);
  await press('Shift+Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'email', 'Shift+Tab goes back');
  await tabTo('#password');
  await page.keyboard.press('Enter');
  await page.waitForURL((url) => url.pathname === '/');
  await kit.audit();

  await tabTo('a[href="/t/veridia/"]');
  await enter();
  await tabTo('a[href="/t/veridia/my-work"]');
  await enter();
  await tabTo('a[href$="/update"]', '3.1.1');
  await enter();
  await page.getByRole('heading', { level: 1, name: en('update.title') }).waitFor();

  // Another status than the current one, chosen with the arrow keys.
  await tabTo('#f-status');
  const status = page.locator('#f-status');
  const values = await status.locator('option').evaluateAll((os) => os.map((o) => o.value));
  const from = values.indexOf(await status.inputValue());
  const to = values.indexOf(values[from] === 'delayed' ? 'on-track' : 'delayed');
  for (let i = 0; i < Math.abs(to - from); i += 1) await page.keyboard.press(to > from ? 'ArrowDown' : 'ArrowUp');
  assert.equal(await status.inputValue(), values[to], 'the arrow keys choose a status');
  await press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'f-progress');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('40');
  await press('Tab');
  // A target this update meets, if the activity has one open: Space ticks it.
  if (await page.evaluate(() => document.activeElement.type === 'checkbox')) {
    await page.keyboard.press('Space');
    assert.ok(await page.evaluate(() => document.activeElement.checked), 'Space ticks the target');
  }
  await tabTo('#f-note');
  const note = 'The inspection plan for 2027 is drafted; typed with the keyboard alone.';
  await page.keyboard.type(note);
  await tabTo('#f-evidence');
  await page.keyboard.type('https://inspection.veridia.example/report');
  await tabTo('main form button[type=submit]');
  assert.equal(await page.evaluate(() => document.activeElement.textContent.trim()), en('update.submit'));
  await enter();

  await page.getByText(note).waitFor();
  // The reported status, beside the schedule its targets give, and the progress.
  const line = page.locator('dd.status-line');
  await line.locator('.status', { hasText: en(`activity_status.${values[to]}`) }).waitFor();
  assert.match(await line.textContent(), /· 40%/);
  assert.match(new URL(page.url()).pathname, /^\/t\/veridia\/naps\/\d+\/activities\/\d+$/);
  kit.t.diagnostic(`${stops.length} keyboard stops, each with a visible focus`);
  await kit.screenshot();
});
