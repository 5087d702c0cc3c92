// The journeys of the people who use NAP Oversight, in a real browser
// against the real server, each on a fresh database with the demo data.
// Labels and button texts come from locales/en.yml, never copied here.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { en } from './support/catalog.mjs';
import { journey, sql } from './support/harness.mjs';

const SECRETARIAT = 'secretariat@veridia.example';
const FOCAL = 'focal@veridia.example';
const OBSERVER = 'observer@ilo.example';

/** The id in `/…/naps/{id}…` of the page's URL. */
function napIdOf(page) {
  const m = /\/naps\/(\d+)/.exec(page.url());
  assert.ok(m, `no NAP id in ${page.url()}`);
  return Number(m[1]);
}

/** A link or button named exactly `name`. */
const link = (page, name) => page.getByRole('link', { name, exact: true });
const button = (page, name) => page.getByRole('button', { name, exact: true });
const field = (page, label) => page.getByLabel(label, { exact: true });

/** Creates a NAP through the form and returns its id (the page is then the NAP's). */
async function createNap(kit, title, years) {
  const { page } = kit;
  await kit.go('/t/veridia/naps');
  await kit.follow(link(page, en('nap.new')));
  await field(page, en('nap.title')).fill(title);
  await field(page, en('nap.theme')).selectOption('forced-labour');
  await field(page, en('nap.start_year')).fill(String(years[0]));
  await field(page, en('nap.end_year')).fill(String(years[1]));
  await kit.follow(button(page, en('form.save')));
  await assert.doesNotReject(page.getByRole('heading', { level: 1, name: title }).waitFor());
  return napIdOf(page);
}

journey('a. The secretariat builds a NAP and sees its periodic target in the quarter grid', async (kit) => {
  const { page } = kit;
  await kit.signIn(SECRETARIAT);
  const id = await createNap(kit, 'Plan against Forced Labour 2026–2028', [2026, 2028]);

  await kit.follow(link(page, en('plan.add_objective')));
  await field(page, en('plan.code')).fill('1');
  await field(page, en('plan.title')).fill('Protect seasonal workers');
  await kit.follow(button(page, en('form.save')));

  await kit.follow(link(page, en('plan.add_outcome')));
  await field(page, en('plan.code')).fill('1.1');
  await field(page, en('plan.title')).fill('Farms are inspected before each harvest');
  await kit.follow(button(page, en('form.save')));

  await kit.follow(link(page, en('plan.add_activity')));
  assert.equal(await field(page, en('plan.outcome')).inputValue(), '1.1');
  await field(page, en('plan.code')).fill('1.1.1');
  await field(page, en('plan.title')).fill('Joint inspections of farms at harvest time');
  await field(page, en('activity.lead')).selectOption('LI');
  await field(page, en('activity.start')).fill('2026Q1');
  await field(page, en('activity.end')).fill('2028Q4');
  await field(page, en('activity.targets')).fill('Q2/yearly');
  await kit.follow(button(page, en('form.save')));

  // The plan lists it; the grid shows one target in the second quarter of each year.
  await kit.go(`/t/veridia/naps/${id}`);
  await link(page, '1.1.1 Joint inspections of farms at harvest time').waitFor();
  await kit.follow(page.getByRole('link', { name: en('grid.open') }));
  assert.equal(new URL(page.url()).pathname, `/t/veridia/naps/${id}/plan`);
  const row = page.locator('table.grid tbody tr').filter({ has: page.locator('th.code', { hasText: /^1\.1\.1$/ }) });
  await assert.doesNotReject(row.waitFor());
  const quarters = await page.locator('table.grid thead tr:nth-child(2) th').allTextContents();
  const cells = await row.locator('td.cell').evaluateAll((tds) => tds.map((td) => td.querySelectorAll('.mark').length));
  assert.equal(cells.length, quarters.length, 'one cell per quarter');
  const marked = quarters.filter((_, i) => cells[i] > 0).map((q) => q.trim());
  assert.deepEqual(marked, ['2026 Q2', '2027 Q2', '2028 Q2']);
  await kit.screenshot();
});

journey('b. The secretariat imports a plan from an XLSX file, previews and confirms it', async (kit) => {
  const { page } = kit;
  await kit.signIn(SECRETARIAT);

  // The file: the demo NAP's own export, downloaded as a member would.
  const demoId = Number(await sql("select id from naps where title like 'National Action Plan against Forced Labour%'", kit.database.url));
  const exported = await page.request.get(`/t/veridia/naps/${demoId}/export.xlsx`);
  assert.equal(exported.status(), 200);
  assert.match(exported.headers()['content-type'], /spreadsheetml/);
  const file = join(mkdtempSync(join(tmpdir(), 'nap-e2e-')), 'plan.xlsx');
  writeFileSync(file, await exported.body());
  const count = async (table, nap) => Number(await sql(`select count(*) from ${table} where nap_id = ${nap}`, kit.database.url));
  const expected = await count('activities', demoId);
  const nodes = expected + (await count('objectives', demoId)) + (await count('outcomes', demoId));

  // Into a new, empty NAP over the same years.
  const id = await createNap(kit, 'Imported plan 2025–2029', [2025, 2029]);
  await kit.follow(page.getByRole('link', { name: en('transfer.import') }));
  await field(page, en('transfer.file')).setInputFiles(file);
  await kit.follow(button(page, en('transfer.check')));

  await page.getByRole('heading', { name: en('transfer.preview') }).waitFor();
  await page.getByText(en('transfer.count_create', { value: nodes }), { exact: true }).waitFor();
  assert.equal(await page.locator('table.changes tr.change').count(), nodes);
  assert.equal(await count('activities', id), 0, 'nothing is stored before the confirmation');
  await kit.screenshot('preview');

  await kit.follow(button(page, en('transfer.confirm')));
  assert.equal(new URL(page.url()).pathname, `/t/veridia/naps/${id}/plan`);
  assert.equal(await page.locator('table.grid tbody th.code').count(), expected);
  await kit.go(`/t/veridia/naps/${id}`);
  assert.equal(await page.locator('ul.activities > li').count(), expected);
  await link(page, '1.1.1 Radio and social-media campaign on the signs of forced labour').waitFor();
  await kit.screenshot();
});

/** The dashboard's "activities by status" table: { "3": { "on-track": 2, … }, … } by objective code. */
async function statusCounts(page) {
  const statuses = ['not-started', 'on-track', 'delayed', 'completed', 'cancelled'];
  const headers = (await page.locator('table.status-table thead th').allTextContents()).map((h) => h.trim());
  const columns = statuses.map((s) => headers.indexOf(en(`activity_status.${s}`)));
  assert.ok(columns.every((c) => c > 0), `status columns in ${headers}`);
  const rows = await page.locator('table.status-table tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [...tr.children].map((c) => c.textContent.trim())),
  );
  return Object.fromEntries(
    rows.map((cells) => [cells[0].split(' ')[0], Object.fromEntries(statuses.map((s, i) => [s, Number(cells[columns[i]])]))]),
  );
}

journey('c. A focal point posts a status update from "My work" and the dashboard shows it', async (kit) => {
  const { page } = kit;
  await kit.signIn(FOCAL);
  assert.equal(new URL(page.url()).pathname, '/', 'signed in to the list of committees');
  await kit.follow(page.getByRole('link', { name: 'Veridia National Oversight Committee on Forced Labour' }));
  const before = await statusCounts(page);

  await kit.follow(page.getByRole('navigation', { name: en('nav.tenant') }).getByRole('link', { name: en('nav.my_work') }));
  assert.equal(new URL(page.url()).pathname, '/t/veridia/my-work');
  // The Labour Inspectorate's risk-based inspection plan.
  const row = page.locator('table.work tbody tr').filter({ hasText: '3.1.1 Risk-based inspection plan' });
  const was = (await row.locator('td').first().textContent()).trim();
  const from = ['not-started', 'on-track', 'delayed', 'completed', 'cancelled'].find((s) => was.startsWith(en(`activity_status.${s}`)));
  const to = from === 'delayed' ? 'on-track' : 'delayed';
  await kit.follow(row.getByRole('link', { name: `${en('update.post')} 3.1.1` }));

  await page.getByRole('heading', { level: 1, name: en('update.title') }).waitFor();
  await field(page, en('activity.status')).selectOption(to);
  await field(page, en('update.progress')).fill('35');
  const note = 'Inspectors were trained on the new risk map of farms, boats and building sites.';
  await field(page, en('update.note')).fill(note);
  await field(page, en('update.evidence')).fill('https://inspection.veridia.example/risk-map');
  await kit.follow(button(page, en('update.submit')));
  await page.getByText(note).waitFor();

  // A tenant may make partners' updates wait for the secretariat's review.
  const review = (await sql("select review_updates from tenants where slug = 'veridia'", kit.database.url)) === 't';
  if (review) {
    await kit.signOut();
    await kit.signIn(SECRETARIAT);
    await kit.go('/t/veridia/reviews');
    const card = page.locator('article.review').filter({ hasText: note });
    await kit.follow(card.getByRole('button', { name: `${en('review.accept')} 3.1.1` }));
  }

  await kit.go('/t/veridia/');
  const after = await statusCounts(page);
  assert.equal(after['3'][to], before['3'][to] + 1, `one more ${to} activity in objective 3`);
  assert.equal(after['3'][from], before['3'][from] - 1, `one fewer ${from} activity in objective 3`);
  await kit.screenshot();
});

/** Forms on the page that post somewhere else than signing out (or choosing a language). */
async function editForms(page) {
  const actions = await page.locator('form').evaluateAll((forms) =>
    forms.filter((f) => f.method.toLowerCase() === 'post').map((f) => new URL(f.action).pathname),
  );
  // Signing out, the language, one's own calendar address and following an
  // activity or committee change nothing of the tenant's record.
  return actions.filter((a) => a !== '/logout' && a !== '/language' && !a.endsWith('/calendar') && !a.endsWith('/follow'));
}

/** Links and buttons that start an edit: named by a catalog's "edit", "new", "delete"… texts, or leading to such a route. */
async function editControls(page) {
  const words = ['form.edit', 'form.delete', 'nap.new', 'nap.edit', 'nap.delete', 'plan.add_objective', 'plan.add_outcome',
    'plan.add_activity', 'transfer.import', 'update.post', 'committee.edit', 'committee.new', 'committee.tor_edit',
    'committee.tor_start', 'risk.new', 'comment.add'].flatMap((k) => { try { return [en(k)]; } catch { return []; } });
  const found = await page.locator('main a, main button').evaluateAll(
    (elements, words) =>
      elements
        .filter((e) => {
          const name = e.textContent.trim();
          const href = e.getAttribute('href') || '';
          return words.some((w) => name.startsWith(w)) || /\/(edit|new|delete|import|update|tor)(\?|$)/.test(href);
        })
        .map((e) => `${e.tagName.toLowerCase()} "${e.textContent.trim()}" ${e.getAttribute('href') || ''}`),
    words,
  );
  return found;
}

journey('d. An observer reads the dashboard, sees no edit controls and cannot post an edit', async (kit) => {
  const { page } = kit;
  await kit.signIn(OBSERVER);
  await kit.go('/t/veridia/');
  const napId = Number(await sql("select id from naps where title like 'National Action Plan against Forced Labour%'", kit.database.url));
  const activity = Number(await sql(`select id from activities where nap_id = ${napId} and code = '3.1.1'`, kit.database.url));
  const committee = Number(await sql("select id from committees where name = 'National Oversight Committee on Forced Labour'", kit.database.url));
  await page.getByRole('heading', { level: 3, name: en('dashboard.chart_status_title') }).waitFor();
  assert.ok((await page.locator('table.status-table tbody tr').count()) > 0, 'the dashboard shows the plan');
  await kit.screenshot();

  for (const path of [
    '/t/veridia/',
    '/t/veridia/naps',
    `/t/veridia/naps/${napId}`,
    `/t/veridia/naps/${napId}/plan`,
    `/t/veridia/naps/${napId}/activities/${activity}`,
    `/t/veridia/naps/${napId}/risks`,
    `/t/veridia/naps/${napId}/indicators`,
    '/t/veridia/committees',
    `/t/veridia/committees/${committee}`,
  ]) {
    if (path !== '/t/veridia/') await kit.go(path);
    assert.deepEqual(await editForms(page), [], `no form posts an edit on ${path}`);
    assert.deepEqual(await editControls(page), [], `no edit link or button on ${path}`);
  }

  // Posting anyway, from the page with its CSRF token, as a crafted form would.
  const csrf = await page.locator('form[action="/logout"] input[name=csrf]').inputValue();
  const post = (path, fields) =>
    page.evaluate(
      async ({ path, fields }) => {
        const res = await fetch(path, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });
        return { status: res.type === 'opaqueredirect' ? 'redirect' : res.status, body: await res.text() };
      },
      { path, fields: { csrf, ...fields } },
    );
  const titleBefore = await sql(`select title from naps where id = ${napId}`, kit.database.url);
  for (const [path, fields] of [
    [`/t/veridia/naps/${napId}/edit`, { title: 'Changed by an observer', theme: 'forced-labour', start_year: '2025', end_year: '2029', status: 'adopted' }],
    [`/t/veridia/naps/${napId}/activities/${activity}/update`, { version: '0', status: 'completed', progress: '100' }],
    [`/t/veridia/naps/${napId}/activities/${activity}/comments`, { body: 'An observer comment' }],
    [`/t/veridia/committees/${committee}/tor`, { mandate: 'Changed by an observer', quorum: '50' }],
    [`/t/veridia/naps/${napId}/publish`, {}],
  ]) {
    const res = await post(path, fields);
    assert.equal(res.status, 403, `POST ${path} is refused`);
    assert.ok(res.body.includes(en('error.forbidden.title')), `POST ${path} is refused for the role, not the token`);
  }
  assert.equal(await sql(`select title from naps where id = ${napId}`, kit.database.url), titleBefore);
  assert.equal(await sql(`select count(*) from comments where body = 'An observer comment'`, kit.database.url), '0');
  // The same token signs out: the refusals above were the role's, not the token's.
  assert.equal((await post('/logout', {})).status, 'redirect');
  await kit.go('/t/veridia/');
  assert.equal(new URL(page.url()).pathname, '/login', 'signed out');
});

journey('e. The secretariat publishes new terms of reference, which a visitor reads on the public portal', async (kit) => {
  const { page } = kit;
  await kit.signIn(SECRETARIAT);
  await kit.go('/t/veridia/committees');
  await kit.follow(page.getByRole('link', { name: 'National Oversight Committee on Forced Labour', exact: true }));
  const committee = Number(/\/committees\/(\d+)/.exec(page.url())[1]);
  const published = await page.locator('ul.tor-versions li').count();
  const draft = page.getByRole('link', { name: en('committee.tor_edit') }).or(page.getByRole('link', { name: en('committee.tor_start') }));
  await kit.follow(draft);
  assert.equal(new URL(page.url()).pathname, `/t/veridia/committees/${committee}/tor`);

  const mandate = 'The committee oversees the National Action Plan against Forced Labour, hears the partners every quarter and reports to parliament every year.';
  await field(page, en('tor.mandate')).fill(mandate);
  if (!(await field(page, en('tor.purpose')).inputValue()).trim()) {
    await field(page, en('tor.purpose')).fill('To follow the plan and keep its partners working together.');
  }
  await kit.follow(button(page, en('tor.save')));
  assert.equal(await field(page, en('tor.mandate')).inputValue(), mandate, 'the draft is saved');
  // Publishing shows the draft and its changes first; only the confirmation freezes it.
  await kit.follow(page.getByRole('link', { name: en('tor.publish_review') }));
  const version = published + 1;
  await kit.follow(button(page, en('tor.publish_confirm', { value: version })));
  assert.equal(new URL(page.url()).pathname, `/t/veridia/committees/${committee}/tor/v/${version}`);
  await page.getByText(mandate).waitFor();

  // Someone who is not signed in reads it on the public portal.
  const visitor = await kit.visitor();
  await kit.go(`/p/veridia/committees/${committee}/tor`, visitor);
  assert.equal(await visitor.locator('form[action="/logout"]').count(), 0, 'the visitor is not signed in');
  await visitor.getByText(mandate).waitFor();
  assert.equal(await visitor.locator('ul.tor-versions strong').textContent(), en('tor.version', { value: version }), 'the current version');
  await kit.screenshot('', visitor);
});

journey('j. The secretariat reads the plan by pillar, and sees the lists it is tagged with', async (kit) => {
  const { page } = kit;
  await kit.signIn(SECRETARIAT);
  const demoId = Number(await sql("select id from naps where title like 'National Action Plan against Forced Labour%'", kit.database.url));

  // The plan's lists, on their own page.
  await kit.go(`/t/veridia/naps/${demoId}`);
  await kit.follow(link(page, en('tags.link')));
  const pillars = (await field(page, en('tags.pillars')).inputValue()).split('\n');
  assert.deepEqual(pillars, ['Prevention', 'Protection', 'Prosecution', 'Partnership']);

  // The grid by one pillar: the second objective's activities, tagged through it.
  await kit.go(`/t/veridia/naps/${demoId}/plan`);
  await field(page, en('activity.pillars')).selectOption('Protection');
  await kit.follow(button(page, en('grid.apply')));
  const codes = await page.locator('table.grid tbody th.code').allTextContents();
  assert.ok(codes.length > 0, 'the pillar has activities');
  assert.ok(codes.every((c) => c.trim().startsWith('2.')), `only objective 2's activities: ${codes}`);
  assert.equal(await field(page, en('activity.pillars')).inputValue(), 'Protection', 'the filter stays chosen');

  // The flagged activity, from the dashboard's count.
  await kit.go(`/t/veridia/naps/${demoId}/dashboard`);
  await kit.follow(page.getByRole('link', { name: en('dashboard.flagged', { n: '1' }) }));
  assert.deepEqual(await page.locator('table.activity-list tbody th').allTextContents(), ['4.2.1']);
  await kit.screenshot();
});

journey('k. A focal point follows a reminder to the reporting round, posts the update, and the round counts it on time', async (kit) => {
  const { page } = kit;
  const db = kit.database.url;
  // The secretariat opens rounds 90 days before the quarter ends: the
  // round partners answer now is open, whatever the day.
  await kit.signIn(SECRETARIAT);
  await kit.go('/t/veridia/settings');
  await field(page, en('settings.round_opens_days')).fill('90');
  await kit.follow(button(page, en('form.save')));
  await kit.signOut();

  // The clock (every second here) tells the focal point.
  const reminder = `select n.tenant_id || '/' || n.id || ' ' || n.link from notifications n join users u on u.id = n.user_id
                    where u.email = '${FOCAL}' and n.kind in ('round_opened', 'round_due_7', 'round_due_1') order by n.id desc limit 1`;
  let found = '';
  for (let i = 0; i < 100 && !found; i++) {
    found = await sql(reminder, db);
    if (!found) await new Promise((ok) => setTimeout(ok, 100));
  }
  assert.ok(found, 'a reminder of the open round');
  const [key, roundPath] = found.split(' ');

  await kit.signIn(FOCAL);
  await kit.go('/t/veridia/');
  await page.locator('a.notifications-link .unread-count').waitFor();
  await kit.follow(page.locator('a.notifications-link'));
  await kit.follow(page.locator(`form[action="/notifications/${key}/open"] button`));
  assert.equal(new URL(page.url()).pathname, roundPath);

  // The Labour Inspectorate's part of the round: an activity still awaited.
  const awaited = page.locator('section.round-partner').filter({ hasText: '(LI)' }).locator('li.awaited').first();
  const name = (await awaited.locator('a').textContent()).trim();
  await kit.follow(awaited.locator('a'));
  await kit.follow(link(page, en('update.post')));
  await field(page, en('activity.status')).selectOption('on-track');
  await field(page, en('update.progress')).fill('60');
  await field(page, en('update.note')).fill('Reported in the round, before its deadline.');
  await kit.follow(button(page, en('update.submit')));

  await kit.go(roundPath);
  const item = page.locator('section.round-partner li').filter({ hasText: name });
  assert.equal(await item.getAttribute('class'), 'on-time');
  assert.match(await item.textContent(), new RegExp(en('round.on_time')));
  await kit.screenshot();
});

journey('l. The secretariat drafts, issues and publishes a quarterly report, and the public reads it', async (kit) => {
  const { page } = kit;
  await kit.signIn(SECRETARIAT);
  await kit.go('/t/veridia/naps');
  await kit.follow(link(page, 'National Action Plan against Forced Labour 2025–2029'));
  const napId = napIdOf(page);
  await kit.follow(link(page, en('nap.reports')));

  // A quarter's draft: the last quarter is offered.
  assert.equal(await field(page, en('report.kind')).inputValue(), 'quarter');
  assert.match(await field(page, en('report.period')).inputValue(), /^\d{4}Q[1-4]$/);
  await kit.follow(button(page, en('report.create')));
  await page.locator('.report-head h1').waitFor();
  await page.getByRole('heading', { name: en('report.headline') }).waitFor();

  await field(page, en('report.field.title')).fill('The quarter at a glance');
  await field(page, en('report.section.summary')).fill('Rounds ran on time; the hotline doubled its calls.');
  await kit.follow(button(page, en('report.save')));
  assert.equal((await page.locator('.report-head h1').textContent()).trim(), 'The quarter at a glance');

  await kit.follow(button(page, en('report.issue')));
  const state = (await page.locator('.report-state').textContent()).trim();
  const number = Number(/\d+/.exec(state)[0]);
  assert.ok(state.startsWith(en('report.number', { n: String(number) })), state);
  assert.equal(await page.locator('form.narrative').count(), 0, 'an issued report is frozen');

  await field(page, en('report.publish')).check();
  await kit.follow(button(page, en('report.publish_save')));
  const publicLink = page.locator('.report-state a');
  assert.equal(await publicLink.getAttribute('href'), `/p/veridia/reports/${number}`);

  // The public reads it, without signing in, and can take the PDF.
  const visitor = await kit.visitor();
  await kit.go(`/p/veridia/reports/${number}`, visitor);
  assert.equal((await visitor.locator('.report-head h1').textContent()).trim(), 'The quarter at a glance');
  await visitor.getByText('Rounds ran on time; the hotline doubled its calls.').waitFor();
  assert.equal(await visitor.getByText(en('report.money')).count(), 0, 'no spending unless chosen');
  const pdf = await visitor.request.get(await visitor.getByRole('link', { name: en('report.pdf'), exact: true }).getAttribute('href'));
  assert.equal(pdf.status(), 200);
  assert.equal((await pdf.body()).subarray(0, 5).toString(), '%PDF-');
  await kit.screenshot('public', visitor);

  // The plan's baselines compared, and last year's annual review.
  await kit.go(`/t/veridia/naps/${napId}/reports`);
  await kit.follow(link(page, en('baseline.title')));
  // From last year's plan, as adopted, to the plan today.
  await field(page, en('baseline.from')).selectOption({ index: 1 });
  await kit.follow(button(page, en('baseline.compare_go')));
  assert.ok((await page.locator('table.changes tbody tr').count()) > 0, 'the demo baselines differ');
  await kit.follow(link(page, en('report.list_title')));
  await kit.follow(link(page, en('annual.title')));
  await kit.follow(page.locator('ul.reviews a').first());
  await page.locator('table.review').waitFor();
});

journey('m. A member files the minutes of a meeting, and another finds them by a word inside the file', async (kit) => {
  const { page } = kit;
  // Minutes written in a word processor (LibreOffice, as the tests' own).
  const dir = mkdtempSync(join(tmpdir(), 'nap-minutes-'));
  const text = join(dir, 'minutes.txt');
  writeFileSync(text, 'Minutes of the meeting\n\nThe committee heard the sugarcane growers and agreed on joint inspections.');
  execFileSync('soffice', [`-env:UserInstallation=file://${dir}/profile`, '--headless', '--convert-to', 'docx', '--outdir', dir, text]);
  const docx = join(dir, 'minutes.docx');

  await kit.signIn(SECRETARIAT);
  await kit.go('/t/veridia/committees');
  await kit.follow(link(page, 'National Oversight Committee on Forced Labour'));
  await kit.follow(page.locator('a[href*="/meetings/"]').first());
  await kit.follow(link(page, en('document.add_here')));
  assert.equal(await field(page, en('document.kind')).inputValue(), 'minutes');
  await field(page, en('document.title')).fill('Signed minutes of the meeting');
  await field(page, en('document.file')).setInputFiles(docx);
  await kit.follow(button(page, en('document.upload')));
  await page.getByRole('heading', { level: 1, name: 'Signed minutes of the meeting' }).waitFor();
  assert.equal(await page.locator('table.versions tbody tr').count(), 1);
  await kit.signOut();

  // An observer searches for a word that is only inside the file.
  await kit.signIn(OBSERVER);
  await kit.go('/t/veridia/');
  await page.getByRole('searchbox', { name: en('search.label') }).fill('sugarcane');
  await kit.follow(page.locator('form.header-search button'));
  const hit = page.locator('ol.search-results li').filter({ hasText: 'Signed minutes of the meeting' });
  await hit.waitFor();
  assert.equal(await hit.locator('.snippet mark').first().textContent(), 'sugarcane');
  await kit.follow(hit.locator('.hit-title a'));
  const download = page.locator('table.versions a[download]');
  assert.equal(await download.textContent(), 'minutes.docx');
  const file = await page.request.get(await download.getAttribute('href'));
  assert.equal(file.status(), 200);
  assert.equal((await file.body()).subarray(0, 2).toString(), 'PK');
  await kit.screenshot();

  // The plan's communication and the newsletters read (and are audited) too.
  await kit.go('/t/veridia/naps');
  await kit.follow(link(page, 'National Action Plan against Forced Labour 2025–2029'));
  await kit.follow(link(page, en('communication.title')));
  assert.ok((await page.locator('table.communication tbody tr').count()) > 0, 'the demo plan has items');
  await kit.follow(link(page, en('checklist.title')));
  await kit.follow(link(page, en('nav.newsletters')));
  await kit.follow(page.locator('ul.newsletters a').first());
  await page.locator('article.letter h1').waitFor();
});

journey('n. The secretariat tags an activity with an ILO convention, and an observer asks what the plan does for it', async (kit) => {
  const { page } = kit;
  await kit.signIn(SECRETARIAT);
  await kit.go('/t/veridia/naps');
  await kit.follow(link(page, 'National Action Plan against Forced Labour 2025–2029'));
  await kit.follow(link(page, '2.2.5 Safe return and reintegration support'));
  await kit.follow(link(page, en('activity.edit')));
  // A code that is not on the list is answered beside the field, and what
  // was typed stays for mending.
  const alignment = field(page, en('alignment.field'));
  await alignment.fill('10.7, C97, C9999');
  await kit.follow(button(page, en('form.save')));
  assert.equal(await page.locator('#f-alignment-error').textContent(), en('alignment.unknown', { value: 'C9999' }));
  assert.equal(await alignment.inputValue(), '10.7, C97, C9999');
  // The reference list is at hand below the field.
  await page.locator('details.references summary').click();
  await page.getByText('Migration for Employment Convention (Revised), 1949 (No. 97)').waitFor();
  await alignment.fill('10.7, C97');
  await kit.follow(button(page, en('form.save')));
  await page.getByRole('heading', { level: 1, name: 'Safe return and reintegration support' }).waitFor();
  await kit.signOut();

  await kit.signIn(OBSERVER);
  await kit.go('/t/veridia/naps');
  await kit.follow(link(page, 'National Action Plan against Forced Labour 2025–2029'));
  await kit.follow(page.getByRole('navigation', { name: en('nap.actions') }).getByRole('link', { name: en('alignment.title'), exact: true }));
  await kit.screenshot('overview');
  await kit.follow(link(page, 'C97'));
  assert.equal(await page.locator('h1').textContent(), en('alignment.one_title', { value: 'C97' }));
  const rows = page.locator('table.alignment-table tbody tr');
  assert.equal(await rows.count(), 1);
  assert.match(await rows.first().textContent(), /2\.2\.5/);
  // The grid, narrowed to what serves it: the activity alone.
  await kit.follow(link(page, en('alignment.in_grid')));
  assert.deepEqual(await page.locator('table.grid tbody th.code').allTextContents(), ['2.2.5']);
  assert.equal(await page.locator('#g-align option:checked').textContent(), 'C97');
  await kit.screenshot();
});
