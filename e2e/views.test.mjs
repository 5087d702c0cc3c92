// The committee's pages where people read them: the dashboard's late list on
// the first screen of a laptop (1366×900) and of a phone (360×740), nothing
// wider than the phone's screen, a small navigation on it, and the dashboard
// and a meeting on paper (Chromium's print to PDF, read back with pdftotext).
// Screenshots of the dashboard at both widths and in French go to target/e2e/.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { en, text } from './support/catalog.mjs';
import { journey } from './support/harness.mjs';
import { OUT } from './support/paths.mjs';

const SECRETARIAT = 'secretariat@veridia.example';
const FOCAL = 'focal@veridia.example';
const LAPTOP = { width: 1366, height: 900 };
const PHONE = { width: 360, height: 740 };

/** How far the page reaches past the window's right edge, in pixels (0: none). */
async function overflow(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

/** The box of the first element matching `selector`, scrolled to the top of the page. */
async function boxOf(page, selector) {
  await page.evaluate(() => window.scrollTo(0, 0));
  const box = await page.locator(selector).first().boundingBox();
  assert.ok(box, `${selector} is not on the page`);
  return box;
}

/** The late list's first entry must be within the first screen, left to right and top to bottom. */
async function lateListInFirstScreen(page, viewport) {
  const list = await boxOf(page, '#late ol.late-list > li');
  assert.ok(list.y + list.height <= viewport.height, `the first late item ends at ${list.y + list.height}px, below ${viewport.height}px`);
  assert.ok(list.x >= 0 && list.x + list.width <= viewport.width, `the first late item spans ${list.x}–${list.x + list.width}px`);
  // The heading's own words, without the glossary link beside them.
  const heading = await page.locator('#late-heading').evaluate((h) => h.firstChild.textContent);
  assert.equal(heading.trim(), en('dashboard.late'));
}

/** Text of a PDF, one string per page (pdftotext separates pages with form feeds). */
function pdfPages(file) {
  const out = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  return out.split('\f').filter((page, i, all) => i < all.length - 1 || page.trim() !== '');
}

journey('g. At 1366×900 the dashboard opens on what is late, in English and in French', async (kit) => {
  const { page } = kit;
  await kit.signIn(SECRETARIAT);
  await kit.go('/t/veridia/');
  await lateListInFirstScreen(page, LAPTOP);
  assert.equal(await overflow(page), 0, 'the dashboard is no wider than the window');
  // Every late item names its organisation in full and says how late it is.
  const items = await page.locator('#late ol.late-list > li').allInnerTexts();
  assert.ok(items.length > 0, 'the demo plan has late activities');
  for (const item of items) {
    assert.match(item, /\(\w+\)/, `no organisation in ${item}`);
    assert.match(item, / late\b/, `no delay in ${item}`);
  }
  await kit.screenshot('1366');

  // The same page in French.
  await page.locator('#language-switcher').selectOption('fr');
  await kit.follow(page.locator('form.language-switcher button[type=submit]'));
  assert.equal((await page.locator('#late-heading').evaluate((h) => h.firstChild.textContent)).trim(), text('fr', 'dashboard.late'));
  const list = await boxOf(page, '#late ol.late-list > li');
  assert.ok(list.y + list.height <= LAPTOP.height, 'in French too');
  assert.equal(await overflow(page), 0);
  await kit.screenshot('fr');
}, { viewport: LAPTOP });

journey('h. On a 360×740 phone the late list, My work and the grid fit the screen', async (kit) => {
  const { page } = kit;
  await kit.signIn(SECRETARIAT);
  await kit.go('/t/veridia/');
  const header = await boxOf(page, 'header.site-header');
  assert.ok(header.height < PHONE.height * 0.15, `the navigation takes ${header.height}px of ${PHONE.height}px`);
  await lateListInFirstScreen(page, PHONE);
  assert.equal(await overflow(page), 0, 'the dashboard needs no sideways scrolling');
  await kit.screenshot('360');

  // The grid shows the current quarter without scrolling sideways.
  const plan = await page.locator('a', { hasText: en('grid.open') }).first().getAttribute('href');
  await kit.go(plan);
  const current = await boxOf(page, 'table.grid thead th.q.current');
  assert.ok(current.x + current.width <= PHONE.width, `the current quarter's column ends at ${current.x + current.width}px`);
  assert.equal(await overflow(page), 0, 'the grid page needs no sideways scrolling');

  // The public pages too.
  await kit.go('/p/veridia/');
  assert.equal(await overflow(page), 0, 'the public home');
  const nap = await page.locator('main a[href*="/naps/"]').first().getAttribute('href');
  await kit.go(nap);
  assert.equal(await overflow(page), 0, 'the public plan');

  // A focal point's "My work": the main action and the key figures are in view.
  await kit.signOut();
  await kit.signIn(FOCAL);
  await kit.go('/t/veridia/my-work');
  assert.equal(await overflow(page), 0, 'My work needs no sideways scrolling');
  const action = await boxOf(page, 'table.work a[href$="/update"]');
  assert.ok(action.x + action.width <= PHONE.width, `"${en('update.post')}" ends at ${action.x + action.width}px`);
  const status = await boxOf(page, 'table.work td.status-line');
  assert.ok(status.x + status.width <= PHONE.width, 'the status and schedule are in view');
  await kit.screenshot('my-work-360');
}, { viewport: PHONE });

journey('i. The dashboard and a meeting print with their date, tenant and page numbers', async (kit) => {
  const { page } = kit;
  await kit.signIn(SECRETARIAT);
  await kit.go('/t/veridia/');
  await page.emulateMedia({ media: 'print' });
  const dashboard = join(OUT, 'dashboard.pdf');
  writeFileSync(dashboard, await page.pdf({ format: 'A4', printBackground: true }));
  const pages = pdfPages(dashboard);
  // No page left blank or nearly so by a section pushed to the next: every
  // page but the last holds at least a quarter of the lines A4 takes at
  // 9 pt (about 60; a chart takes the room of ten lines with few words).
  const lines = (p) => p.split('\n').filter((l) => l.trim()).length;
  assert.ok(pages.length >= 1 && pages.length <= 12, `the dashboard prints on ${pages.length} pages`);
  pages.slice(0, -1).forEach((p, i) => assert.ok(lines(p) >= 15, `page ${i + 1} of the dashboard holds only ${lines(p)} lines`));
  kit.t.diagnostic(`the dashboard prints on ${pages.length} pages of ${pages.map(lines).join(', ')} lines`);
  const all = pages.join('\n');
  assert.ok(all.includes(en('dashboard.late')), 'what is late is printed');
  assert.ok(all.includes(en('target_state.met')) && all.includes(en('target_state.missed')), 'the legends are printed');
  assert.ok(pages[0].includes('Veridia'), 'the tenant is named');
  assert.ok(pages[0].includes(en('print.printed_on', { date: '' }).trim()), 'the date is printed');
  assert.match(pages[0], /\b1 ?\/ ?\d+\b/, 'pages are numbered');
  await page.emulateMedia({ media: 'screen' });

  // A meeting with its attendance.
  await kit.go('/t/veridia/committees');
  await kit.follow(page.locator('main li.card a[href*="/committees/"]').first());
  const meeting = page.locator('main a[href*="/meetings/"]').first();
  await kit.follow(meeting);
  await page.emulateMedia({ media: 'print' });
  const file = join(OUT, 'meeting.pdf');
  writeFileSync(file, await page.pdf({ format: 'A4', printBackground: true }));
  const meetingText = pdfPages(file).join('\n');
  assert.ok(meetingText.includes(en('meeting.attendance')), 'the attendance is printed');
  for (const control of [en('meeting.add_action'), en('form.save')]) {
    assert.ok(!meetingText.includes(control), `the form control "${control}" is printed`);
  }
  assert.match(meetingText, /\b1 ?\/ ?\d+\b/, 'pages are numbered');
  await page.emulateMedia({ media: 'screen' });
});
