// What a person sees who opens the bot's address in a browser when the sandbox is off: one line
// saying the bot runs and on which platforms, instead of a 404. The icon is inline so the browser
// asks for nothing that could 404.

import type { FastifyInstance } from 'fastify';

/** A small inline icon (the 协 badge of the sandbox page); CSP-safe as a data: URL. */
export const ICON_HREF =
  "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E%3Crect width='32' height='32' rx='7' fill='%233370ff'/%3E%3Ctext x='16' y='23' font-size='19' text-anchor='middle' fill='white' font-family='sans-serif'%3E%E5%8D%8F%3C/text%3E%3C/svg%3E";

const HEADERS = {
  'content-security-policy': "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
} as const;

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export interface StatusLine {
  /** e.g. "飞书 webhook", "钉钉 stream". */
  platforms: string[];
}

export function statusPageHtml(s: StatusLine): string {
  const on = s.platforms.length ? s.platforms.join('、') : '无 / none';
  const line = `协作助手 Groupflow 运行中 · 已启用平台：${on} · 健康检查 /readyz · Groupflow is running`;
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>协作助手 Groupflow</title>
<link rel="icon" href="${ICON_HREF}">
</head>
<body style="font-family: system-ui, sans-serif; margin: 2rem; color: #1f2329">
<p>${escapeHtml(line)}</p>
</body>
</html>
`;
}

/**
 * `GET /` when no other plugin answers it, and `GET /favicon.ico` for clients that ask for it
 * anyway (an empty 204 rather than a 404 in the browser console).
 */
export function statusRoutes(app: FastifyInstance, opts: { root: boolean; status: () => StatusLine }): void {
  if (opts.root) {
    app.get('/', (_req, res) => res.headers(HEADERS).type('text/html; charset=utf-8').send(statusPageHtml(opts.status())));
  }
  app.get('/favicon.ico', (_req, res) => res.header('cache-control', 'public, max-age=86400').status(204).send());
}
