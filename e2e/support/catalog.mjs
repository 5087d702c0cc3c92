// The translation catalogs `locales/{lang}.yml`, read the way the journeys
// need them: the words a page should show, never copied into the tests.
//
// The catalogs are flat maps of `key: "text"`; nested maps are read as
// dotted keys, and single-quoted or plain values are understood too.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ROOT } from './paths.mjs';

const cache = new Map();

export function catalogFile(lang) {
  return join(ROOT, 'locales', `${lang}.yml`);
}

export function hasCatalog(lang) {
  return existsSync(catalogFile(lang));
}

/** The catalog of `lang` as a Map from key to text. */
export function catalog(lang) {
  if (!cache.has(lang)) cache.set(lang, parse(readFileSync(catalogFile(lang), 'utf8')));
  return cache.get(lang);
}

/** The text of `key` in `lang`, with `%{name}` placeholders filled from `values`. */
export function text(lang, key, values = {}) {
  const raw = catalog(lang).get(key);
  if (raw === undefined) throw new Error(`no key ${key} in locales/${lang}.yml`);
  return raw.replace(/%\{(\w+)\}/g, (_, name) => String(values[name] ?? `%{${name}}`));
}

/** English, the catalog every other language falls back to. */
export const en = (key, values) => text('en', key, values);

function parse(source) {
  const out = new Map();
  const parents = []; // [indent, key]
  for (const [n, line] of source.split(/\r?\n/).entries()) {
    if (!line.trim() || line.trim().startsWith('#')) continue;
    const m = /^(\s*)("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^:#]+?)\s*:(?:\s+(.*))?$/.exec(line);
    if (!m) throw new Error(`line ${n + 1}: cannot read ${JSON.stringify(line)}`);
    const indent = m[1].length;
    const key = scalar(m[2]);
    while (parents.length && parents[parents.length - 1][0] >= indent) parents.pop();
    const path = [...parents.map((p) => p[1]), key].join('.');
    const value = m[3];
    if (value === undefined || value.trim() === '') parents.push([indent, key]);
    else out.set(path, scalar(value.trim()));
  }
  return out;
}

function scalar(raw) {
  if (raw.startsWith('"')) return JSON.parse(/^"(?:[^"\\]|\\.)*"/.exec(raw)[0]);
  if (raw.startsWith("'")) return /^'((?:[^']|'')*)'/.exec(raw)[1].replace(/''/g, "'");
  return raw.replace(/\s+#.*$/, '').trim();
}
