// The harness of the browser journeys: a fresh database and a real server
// per journey, one headless Chromium per test file, a full-page screenshot
// at the end of each journey and an accessibility audit of every page.
//
// Environment (all optional):
//   NAP_BIN       the compiled `nap-oversight` binary (default target/debug/nap-oversight)
//   DATABASE_URL  a PostgreSQL server on which we may create databases
//                 (default postgres://postgres@127.0.0.1:5432/postgres)
//   E2E_OUT       where screenshots, server logs and audit reports go (default target/e2e)
//   CHROMIUM      the browser (default /usr/bin/chromium)
//   NAP_DEMO_PASSWORD  the demo accounts' password (default the README's)

import { after, before, test } from 'node:test';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';

import { Auditor } from './audit.mjs';
import { ADMIN_URL, BIN, CHROMIUM, OUT } from './paths.mjs';

export { ADMIN_URL, OUT, ROOT } from './paths.mjs';

const run = promisify(execFile);

/** The password of every demo account (`nap_oversight::demo::PASSWORD`, which the Rust runner passes on). */
export const PASSWORD = process.env.NAP_DEMO_PASSWORD || 'demo-oversight-2026';

mkdirSync(join(OUT, 'logs'), { recursive: true });

// ---------------------------------------------------------------- database

/** `DATABASE_URL`'s server with another database name (keeps `?host=` and the rest). */
function databaseUrl(name) {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Runs SQL with psql on `url` and returns its unaligned output. */
export async function sql(statement, url = ADMIN_URL) {
  const { stdout } = await run('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', statement]);
  return stdout.trim();
}

/** Databases of earlier runs whose process is gone (a crash, Ctrl-C). */
async function dropLeftovers() {
  const names = (await sql("select datname from pg_database where datname like 'e2e\\_%'")).split('\n').filter(Boolean);
  for (const name of names) {
    const m = /^e2e_(\d+)_[0-9a-f]{8}$/.exec(name);
    if (m && !alive(Number(m[1]))) await sql(`drop database if exists ${name} with (force)`).catch(() => {});
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

/** A new, empty database: `{ name, url }`. */
async function createDatabase() {
  const name = `e2e_${process.pid}_${randomBytes(4).toString('hex')}`;
  await sql(`create database ${name}`);
  return { name, url: databaseUrl(name) };
}

// ------------------------------------------------------------------ server

function freePort() {
  return new Promise((ok, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => ok(port));
    });
  });
}

/** `nap-oversight serve --demo` on `database`, ready when `/readyz` says so. */
async function startServer(database, logName) {
  const port = await freePort();
  const logPath = join(OUT, 'logs', `${logName}.log`);
  const log = createWriteStream(logPath);
  const child = spawn(BIN, ['serve', '--demo', '--bind', `127.0.0.1:${port}`], {
    // Mail goes to files beside the logs; the reminders' clock runs every second.
    env: {
      ...process.env,
      DATABASE_URL: database.url,
      RUST_LOG: process.env.RUST_LOG || 'warn',
      NAP_MAIL_DIR: join(OUT, 'mail', logName),
      NAP_CLOCK_SECONDS: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise((ok) => child.once('exit', (code, signal) => ok({ code, signal })));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const early = await Promise.race([exited, new Promise((ok) => setTimeout(ok, 100))]);
    if (early) throw new Error(`the server stopped before it was ready (${JSON.stringify(early)}); see ${logPath}`);
    const ready = await fetch(`${base}/readyz`).then((r) => r.status === 200, () => false);
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`the server never became ready; see ${logPath}`);
  }
  return {
    base,
    logPath,
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      log.end();
    },
  };
}

// ----------------------------------------------------------------- browser

let browser;

/** One headless Chromium for all journeys of a test file, from its first journey on. */
function useBrowser() {
  if (browser !== undefined) return;
  browser = null;
  before(async () => {
    await dropLeftovers();
    const root = process.getuid && process.getuid() === 0;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      // Root cannot use Chromium's sandbox (CI containers run as root).
      args: root ? ['--no-sandbox'] : [],
    });
  });
  after(async () => {
    await browser?.close();
  });
}

/** A file name from a journey's title: "a. The secretariat…" → "a-the-secretariat…". */
export function slugOf(title) {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 60)
    .replace(/^-+|-+$/g, '');
}

/**
 * One journey, as its own test: a fresh database with the demo data, the real
 * server, a new browser context. `body` gets the journey's kit (see below).
 * Whatever happens, the server stops and the database is dropped; a failing
 * journey leaves a screenshot of where it stopped and the server's log.
 */
export function journey(title, body, options = {}) {
  useBrowser();
  test(title, { timeout: 90_000, ...options }, async (t) => {
    const slug = slugOf(title);
    rmSync(join(OUT, `${slug}-failure.png`), { force: true });
    const database = await createDatabase();
    let server;
    let context;
    let kit;
    try {
      server = await startServer(database, slug);
      context = await newContext(server.base, options.viewport);
      const page = await context.newPage();
      kit = new Kit({ t, slug, page, context, server, database });
      await body(kit);
      await kit.finish();
    } catch (error) {
      if (kit) {
        await kit.page.screenshot({ path: join(OUT, `${slug}-failure.png`), fullPage: true }).catch(() => {});
        error.message += `\n  at page ${kit.page.url()}\n  server log: ${server?.logPath}`;
      }
      throw error;
    } finally {
      await context?.close().catch(() => {});
      await server?.stop().catch(() => {});
      await sql(`drop database if exists ${database.name} with (force)`).catch(() => {});
    }
  });
}

function newContext(baseURL, viewport = { width: 1280, height: 900 }) {
  return browser.newContext({ baseURL, viewport, locale: 'en-GB', reducedMotion: 'reduce' });
}

/** What a journey works with: its page, the server, helpers that audit each page. */
class Kit {
  constructor({ t, slug, page, context, server, database }) {
    Object.assign(this, { t, slug, page, context, server, database });
    this.base = server.base;
    this.auditor = new Auditor(slug, t);
    this.watch(page);
    this.shots = 0;
  }

  /** Every document `page` loads must be audited before the next one. */
  watch(page) {
    this.auditor.watch(page);
  }

  /** A second, independent visitor (no cookies), audited the same way. */
  async visitor() {
    const context = await newContext(this.base);
    const page = await context.newPage();
    this.watch(page);
    this.extra = [...(this.extra || []), context];
    return page;
  }

  /** Opens `path` and audits the page. */
  async go(path, page = this.page) {
    const response = await page.goto(path);
    await this.audit(page);
    return response;
  }

  /** Does `action` (a click, Enter…), waits for the next page to load, and audits it. */
  async navigate(action, page = this.page) {
    const loaded = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame() });
    await action();
    await loaded;
    await page.waitForLoadState('load');
    await this.audit(page);
  }

  /** Clicks `locator` (a link or submit button) and audits the page it leads to. */
  async follow(locator, page = this.page) {
    await this.navigate(() => locator.click(), page);
  }

  async audit(page = this.page) {
    await this.auditor.audit(page);
  }

  /** Signs `email` in through the sign-in form; ends on the page sign-in leads to. */
  async signIn(email, page = this.page) {
    await this.go('/login', page);
    await page.getByLabel('E-mail address').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await this.follow(page.locator('main form button[type=submit]'), page);
    if (new URL(page.url()).pathname === '/login') throw new Error(`${email} could not sign in`);
  }

  async signOut(page = this.page) {
    await this.follow(page.locator('form[action="/logout"] button'), page);
  }

  /** A full-page screenshot under E2E_OUT, named after the journey. */
  async screenshot(name = '', page = this.page) {
    const file = join(OUT, `${this.slug}${name ? `-${name}` : ''}.png`);
    await page.screenshot({ path: file, fullPage: true });
    this.shots += 1;
    return file;
  }

  /** Ends the journey: a screenshot if none was taken, then the audit's verdict. */
  async finish() {
    if (this.shots === 0) await this.screenshot();
    for (const context of this.extra || []) await context.close();
    this.auditor.verdict();
  }
}
