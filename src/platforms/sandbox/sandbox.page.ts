// The page's static files, read once when the sandbox is built (no build step, no bundler).

import { readFileSync } from 'node:fs';

export interface Asset {
  type: string;
  body: string;
}

const FILES: Record<string, string> = {
  'page.html': 'text/html; charset=utf-8',
  'page.js': 'text/javascript; charset=utf-8',
  'richtext.js': 'text/javascript; charset=utf-8',
  'page.css': 'text/css; charset=utf-8',
};

export function loadAssets(): Map<string, Asset> {
  return new Map(
    Object.entries(FILES).map(([name, type]) => [name, { type, body: readFileSync(new URL(`./${name}`, import.meta.url), 'utf8') }]),
  );
}

/** The page loads only its own script and stylesheet and talks only to this server. */
export const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
} as const;
