// Where things are, from the environment or the defaults (see harness.mjs).

import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = process.env.NAP_BIN || join(ROOT, 'target', 'debug', 'nap-oversight');
export const ADMIN_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
export const OUT = resolve(ROOT, process.env.E2E_OUT || join('target', 'e2e'));
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
