// The accessibility audit of every page a journey loads: axe-core, then our
// own checks that axe cannot make (every control reachable with Tab and its
// focus visible; hints and errors announced with their field). A violation
// of impact "serious" or "critical" fails the journey; all of them are
// written to E2E_OUT/axe/{journey}.json.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import { OUT } from './paths.mjs';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const FAILING = new Set(['serious', 'critical']);

/** `/t/veridia/naps/12/activities/3/update?x=1` → `/t/veridia/naps/{id}/activities/{id}/update`. */
export function pageKey(url) {
  const { pathname } = new URL(url);
  return pathname.replace(/\/\d+(?=\/|$)/g, '/{id}');
}

export class Auditor {
  constructor(journey, t) {
    this.journey = journey;
    this.t = t;
    this.results = [];
    this.unaudited = new Map();
  }

  /** Notes every document `page` loads, so that none escapes the audit. */
  watch(page) {
    page.on('framenavigated', (frame) => {
      if (frame !== page.mainFrame()) return;
      const previous = this.unaudited.get(page);
      if (previous) this.missed = [...(this.missed || []), previous];
      this.unaudited.set(page, frame.url());
    });
  }

  /** Runs axe-core on the page as it is now. */
  async audit(page) {
    // Injected through the DevTools protocol: the page's CSP forbids inline scripts.
    const loaded = await page.evaluate(() => typeof window.axe === 'object');
    if (!loaded) await page.evaluate(`${AXE_SOURCE}\n;true`);
    const violations = await page.evaluate(async () => {
      const result = await window.axe.run(document, { resultTypes: ['violations'] });
      return result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        helpUrl: v.helpUrl,
        nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
      }));
    });
    const checks = [...(await keyboardWalk(page)), ...(await page.evaluate(undescribed))];
    this.results.push({ url: page.url(), page: pageKey(page.url()), violations, checks });
    this.unaudited.delete(page);
  }

  /** Writes the report; fails on serious or critical violations and on pages never audited. */
  verdict() {
    const dir = join(OUT, 'axe');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${this.journey}.json`), JSON.stringify(this.results, null, 2));
    const count = (list) => {
      const counts = {};
      for (const v of list) counts[v.impact] = (counts[v.impact] || 0) + 1;
      return Object.entries(counts).map(([impact, n]) => `${n} ${impact}`).join(', ') || 'none';
    };
    for (const r of this.results) {
      this.t.diagnostic(`audit ${r.page}: axe ${count(r.violations)}; own checks ${count(r.checks)}`);
    }
    const problems = [];
    const missed = [...(this.missed || []), ...this.unaudited.values()];
    if (missed.length) problems.push(`pages loaded but never audited: ${missed.join(', ')}`);
    for (const r of this.results) {
      for (const v of [...r.violations, ...r.checks].filter((v) => FAILING.has(v.impact))) {
        problems.push(
          `${r.page}: [${v.impact}] ${v.id}: ${v.help}\n` +
            v.nodes.map((n) => `      ${n.target}`).join('\n'),
        );
      }
    }
    if (problems.length) {
      throw new Error(`accessibility audit failed (${problems.length}):\n  ${problems.join('\n  ')}`);
    }
  }
}

/**
 * The page with the keyboard alone: Tab round the whole page once. Every
 * visible control must be a stop, and every stop must show where the focus
 * is (an outline or ring of at least 3:1 against what is behind it). Found
 * problems are reported like axe's, as "serious".
 */
async function keyboardWalk(page) {
  const problems = { unreachable: [], invisible: [] };
  await page.evaluate(() => {
    window.__e2eStops = new Set();
  });
  for (let i = 0; i < 1000; i += 1) {
    await page.keyboard.press('Tab');
    const stop = await page.evaluate(focusState, true);
    if (stop.done) break;
    if (!stop.visible) problems.invisible.push(`${stop.target} (${stop.why})`);
  }
  problems.unreachable = await page.evaluate(() => {
    const controls = document.querySelectorAll(
      'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex="-1"])',
    );
    // A group of radio buttons is one stop (the arrow keys move within it):
    // a radio is reached when any of its group is.
    const reached = (e) =>
      window.__e2eStops.has(e) ||
      (e.type === 'radio' &&
        [...window.__e2eStops].some((s) => s.type === 'radio' && s.name === e.name && s.form === e.form));
    return [...controls]
      .filter((e) => !e.disabled && e.checkVisibility({ visibilityProperty: true }) && !reached(e))
      .map((e) => window.__e2eDescribe(e));
  });
  const out = [];
  if (problems.unreachable.length) {
    out.push({
      id: 'keyboard-unreachable',
      impact: 'serious',
      help: 'Every control can be reached with the Tab key',
      nodes: problems.unreachable.map((target) => ({ target })),
    });
  }
  if (problems.invisible.length) {
    out.push({
      id: 'focus-not-visible',
      impact: 'serious',
      help: 'The focused control shows a focus indicator of at least 3:1 contrast',
      nodes: [...new Set(problems.invisible)].map((target) => ({ target })),
    });
  }
  return out;
}

/**
 * Runs in the page: a field's hint and error must be read out with its
 * control (`aria-describedby`), or a screen reader user never hears them
 * (for example "never write names of victims here").
 */
function undescribed() {
  const missing = [];
  for (const field of document.querySelectorAll('.field')) {
    const controls = field.querySelectorAll('input:not([type=hidden]), select, textarea');
    if (controls.length !== 1) continue;
    const control = controls[0];
    const described = (control.getAttribute('aria-describedby') || '').split(/\s+/);
    for (const note of field.querySelectorAll('.hint, .field-error')) {
      if (!note.id || !described.includes(note.id)) {
        missing.push({ target: `${control.tagName.toLowerCase()}#${control.id || control.name}: "${note.textContent.trim().slice(0, 50)}"` });
      }
    }
  }
  return missing.length
    ? [{ id: 'hint-not-described', impact: 'serious', help: "A field's hint and error are announced with it (aria-describedby)", nodes: missing }]
    : [];
}

/** Where the focus is now, and whether one can see it: `{ target, visible, why }`. */
export async function focus(page) {
  return page.evaluate(focusState, false);
}

/** Runs in the page: where the focus is, and whether one can see it (`walk`: note each stop, say when round). */
function focusState(walk) {
  const describe = (window.__e2eDescribe ??= (e) => {
    const id = e.id ? `#${e.id}` : '';
    const cls = typeof e.className === 'string' && e.className.trim() ? `.${e.className.trim().split(/\s+/).join('.')}` : '';
    const text = (e.textContent || e.getAttribute('aria-label') || e.name || '').trim().replace(/\s+/g, ' ').slice(0, 40);
    return `${e.tagName.toLowerCase()}${id}${cls}${text ? ` "${text}"` : ''}`;
  });
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) {
    return walk ? { done: window.__e2eStops.size > 0 } : { target: 'body', visible: false, why: 'nothing has the focus' };
  }
  if (walk) {
    if (window.__e2eStops.has(el)) return { done: true };
    window.__e2eStops.add(el);
  }
  const target = describe(el);

  const rgba = (c) => {
    const m = /rgba?\(([^)]+)\)/.exec(c || '');
    if (!m) return null;
    const [r, g, b, a = 1] = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
    return { r, g, b, a };
  };
  const luminance = ({ r, g, b }) => {
    const lin = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  const contrast = (x, y) => {
    const [a, b] = [luminance(x), luminance(y)].sort((p, q) => q - p);
    return (a + 0.05) / (b + 0.05);
  };
  // What the indicator is drawn over: the nearest opaque background around the control.
  let behind = { r: 255, g: 255, b: 255, a: 1 };
  for (let n = el.parentElement; n; n = n.parentElement) {
    const c = rgba(getComputedStyle(n).backgroundColor);
    if (c && c.a > 0.5) {
      behind = c;
      break;
    }
  }
  const rect = el.getBoundingClientRect();
  if (rect.width === 0 && rect.height === 0) return { target, visible: false, why: 'no size' };
  if (rect.bottom < 0 || rect.top > innerHeight || rect.right < 0 || rect.left > innerWidth) {
    return { target, visible: false, why: 'off screen' };
  }
  const cs = getComputedStyle(el);
  const indicators = [];
  if (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2) indicators.push(rgba(cs.outlineColor));
  if (cs.boxShadow && cs.boxShadow !== 'none') {
    for (const part of cs.boxShadow.split(/,(?![^(]*\))/)) {
      const spread = part.replace(/rgba?\([^)]*\)/, '').trim().split(/\s+/).map(parseFloat);
      if (!part.includes('inset') && spread.length >= 4 && spread[3] >= 2) indicators.push(rgba(part));
    }
  }
  if (!indicators.length) return { target, visible: false, why: 'no outline or ring' };
  const best = Math.max(...indicators.filter(Boolean).map((c) => contrast(c, behind)));
  if (best < 3) return { target, visible: false, why: `indicator contrast ${best.toFixed(2)}:1` };
  return { target, visible: true };
}
