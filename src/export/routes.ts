// GET /files/<token>: serves an archive behind a signed, expiring link. The archive is built on
// demand from the current records, so a link shows the state at download time.

import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { Db } from '../db/connection.ts';
import type { Clock } from '../domain/clock.ts';
import type { Config } from '../config/schema.ts';
import type { WorkCalendar } from '../domain/calendar.ts';
import { clockSet } from '../domain/clocks.ts';
import { type ArchiveFormat, ArchiveError, buildArchive } from './archive.ts';
import { processRegistry } from '../engine/processes.ts';
import { getLinkSecret, signLink, verifyLink } from './links.ts';

/** What the routes need; a `Core` (src/runtime.ts) satisfies it. */
export interface ExportDeps {
  db: Db;
  clock: Clock;
  log: Pick<Logger, 'error' | 'warn'>;
  config: { calendar: { timezone: string }; processes?: Config['processes']; clocks?: Config['clocks'] };
  /** With it (and the clocks), archives carry an SLA sheet. */
  calendar?: WorkCalendar;
}

export interface ExportTarget {
  chatId: string;
  itemId?: number;
  /** A month's archive, 'YYYY-MM'. */
  month?: string;
  format: ArchiveFormat;
}

export const LINK_TTL_MS = 24 * 3600_000;
export const FILES_PREFIX = '/files/';

const MESSAGES = {
  invalid: '下载链接无效 / Invalid download link.',
  expired: '下载链接已过期，请在群里重新发送 /归档 获取新链接 / This download link has expired; send /export in the group for a new one.',
  notFound: '要归档的事项已不存在 / The item to archive no longer exists.',
  failed: '生成归档文件失败，请稍后重试 / Could not build the archive; please try again later.',
} as const;

/** A signed download URL for the chat's archive (or one item's), valid for 24 hours. */
export function exportLink(deps: Pick<ExportDeps, 'db' | 'clock'>, target: ExportTarget, baseUrl: string, ttlMs = LINK_TTL_MS): string {
  const exp = deps.clock.now().getTime() + ttlMs;
  const token = signLink(getLinkSecret(deps.db), {
    chatId: target.chatId,
    ...(target.itemId !== undefined ? { itemId: target.itemId } : {}),
    ...(target.month !== undefined ? { month: target.month } : {}),
    format: target.format,
    exp,
  });
  return `${baseUrl.replace(/\/+$/, '')}${FILES_PREFIX}${token}`;
}

/**
 * `attachment` with an ASCII fallback name and the real (Chinese) name as RFC 5987/6266
 * `filename*=UTF-8''…`.
 */
export function contentDisposition(filename: string, month?: string): string {
  const date = /(\d{8})\.(\w+)$/.exec(filename);
  const ext = /\.\w+$/.exec(filename)?.[0] ?? '';
  const fallback = month ? `archive-${month}${ext}` : date ? `archive-${date[1]}.${date[2]}` : `archive${ext}`;
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

function refuse(res: FastifyReply, status: number, message: string): FastifyReply {
  return res.code(status).type('text/plain; charset=utf-8').send(message);
}

/** The route plugin. The token is a wildcard, not `:token`: tokens outgrow the router's 100-character param limit. */
export function exportRoutes(deps: ExportDeps): (app: FastifyInstance) => Promise<void> {
  return async (app) => {
    app.get<{ Params: { '*': string } }>(`${FILES_PREFIX}*`, async (req, res) => {
      // Links are secrets: never cached, never leaked to another site through Referer.
      res.header('cache-control', 'private, no-store').header('referrer-policy', 'no-referrer').header('x-content-type-options', 'nosniff');
      const now = deps.clock.now();
      const check = verifyLink(getLinkSecret(deps.db), req.params['*'] ?? '', now);
      if (check === 'invalid') return refuse(res, 403, MESSAGES.invalid);
      if (check === 'expired') return refuse(res, 410, MESSAGES.expired);
      try {
        const file = await buildArchive(deps.db, {
          chatId: check.chatId,
          itemId: check.itemId,
          ...(check.month ? { month: check.month } : {}),
          format: check.format,
          timezone: deps.config.calendar.timezone,
          now,
          processes: processRegistry(deps.config),
          ...(deps.calendar && deps.config.clocks ? { sla: { clocks: clockSet(deps.config.clocks, deps.calendar.workdayMs), calendar: deps.calendar } } : {}),
        });
        return res.code(200).type(file.contentType).header('content-disposition', contentDisposition(file.filename, check.month)).send(file.body);
      } catch (err) {
        if (err instanceof ArchiveError) return refuse(res, 404, MESSAGES.notFound);
        // The URL holds the token: log what was asked for, not the URL.
        deps.log.error({ err, chatId: check.chatId, itemId: check.itemId, format: check.format }, 'archive build failed');
        return refuse(res, 500, MESSAGES.failed);
      }
    });
  };
}
