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
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
} as const;

const LOOK: Record<string, string> = { feishu: '飞书', dingtalk: '钉钉' };

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Two groups side by side, each the whole sandbox page for one group (a frame each), to show
 * linked groups — one drawn as Feishu, one as DingTalk — working on the same items.
 */
export function splitPage(chats: ReadonlyArray<{ id: string; name: string; look: string | null }>): string {
  const frames = chats
    .map((c) => {
      const label = `${c.look ? `【${LOOK[c.look] ?? c.look}】` : ''}${c.name}`;
      return `<iframe src="/sandbox?embed=1&amp;chat=${escapeHtml(encodeURIComponent(c.id))}" title="${escapeHtml(label)}"></iframe>`;
    })
    .join('\n    ');
  return `<!doctype html>
<html lang="zh-CN">
<head>
  <meta charset="utf-8">
  <title>协作助手 · 沙盒 · 并排 | Groupflow sandbox, side by side</title>
  <link rel="stylesheet" href="/sandbox/page.css">
</head>
<body class="split">
    ${frames}
</body>
</html>
`;
}
