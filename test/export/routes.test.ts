import ExcelJS from 'exceljs';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { FakeClock } from '../../src/domain/clock.ts';
import type { Db } from '../../src/db/connection.ts';
import { getLinkSecret, signLink } from '../../src/export/links.ts';
import { type ExportDeps, LINK_TTL_MS, contentDisposition, exportLink, exportRoutes } from '../../src/export/routes.ts';
import { type Core, createRuntime } from '../../src/runtime.ts';
import { CHAT, TZ, seed } from './seed.ts';

const BASE = 'https://bot.example.com/';
const START = new Date('2026-11-14T17:30:00Z');

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function setup(): Promise<{ app: FastifyInstance; db: Db; clock: FakeClock; deps: ExportDeps }> {
  const { db } = seed();
  const clock = new FakeClock(START);
  const deps: ExportDeps = { db, clock, log: pino({ level: 'silent' }), config: { calendar: { timezone: TZ } } };
  app = Fastify();
  await app.register(exportRoutes(deps));
  return { app, db, clock, deps };
}

/** The path part of a link, for inject(). */
function path(url: string): string {
  return new URL(url).pathname;
}

function decodeFilenameStar(header: string): string {
  const m = /filename\*=UTF-8''([^;]+)/.exec(header);
  if (!m) throw new Error(`no filename* in ${header}`);
  return decodeURIComponent(m[1]!);
}

describe('GET /files/:token', () => {
  it('serves the workbook for a valid link, with the Chinese file name as RFC 5987 filename*', async () => {
    const { app, deps } = await setup();
    const url = exportLink(deps, { chatId: CHAT, format: 'xlsx' }, BASE);
    expect(url.startsWith('https://bot.example.com/files/')).toBe(true);
    // Longer than find-my-way's 100-character parameter limit: the route must still match.
    expect(path(url).length - '/files/'.length).toBeGreaterThan(100);

    const res = await app.inject({ method: 'GET', url: path(url) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const cd = String(res.headers['content-disposition']);
    expect(cd).toMatch(/^attachment; filename="archive-20261115\.xlsx"; filename\*=UTF-8''/);
    expect(decodeFilenameStar(cd)).toBe('双十一大促-跨部门协作-20261115.xlsx');
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(res.headers['referrer-policy']).toBe('no-referrer');

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ExcelJS.Buffer);
    expect(wb.worksheets).toHaveLength(9);
    expect(wb.getWorksheet('协作需求发起表')!.getRow(2).getCell(3).value).toBe('双十一大促活动页面与库存保障');
  });

  it('serves csv and md, and one request only when the link names it', async () => {
    const { app, deps } = await setup();
    const csv = await app.inject({ url: path(exportLink(deps, { chatId: CHAT, format: 'csv' }, BASE)) });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect([...csv.rawPayload.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);

    const md = await app.inject({ url: path(exportLink(deps, { chatId: CHAT, itemId: 1, format: 'md' }, BASE)) });
    expect(md.statusCode).toBe(200);
    expect(md.headers['content-type']).toBe('text/markdown; charset=utf-8');
    expect(decodeFilenameStar(String(md.headers['content-disposition']))).toBe('双十一大促-跨部门协作（2026-市-001）-20261115.md');
    expect(md.body).toContain('- 范围：#1（2026-市-001） 双十一大促活动页面与库存保障 及其下属事项');
    expect(md.body).not.toContain('#10 ');
  });

  it('answers 410 in Chinese and English once the 24-hour link has expired', async () => {
    const { app, deps, clock } = await setup();
    const url = path(exportLink(deps, { chatId: CHAT, format: 'xlsx' }, BASE));
    clock.advance(LINK_TTL_MS - 1000);
    expect((await app.inject({ url })).statusCode).toBe(200);
    clock.advance(1000);
    const res = await app.inject({ url });
    expect(res.statusCode).toBe(410);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.body).toContain('下载链接已过期');
    expect(res.body).toContain('expired');
    expect(res.headers['content-disposition']).toBeUndefined();
  });

  it('answers 403 to a forged, tampered or garbage token', async () => {
    const { app, db, deps } = await setup();
    const good = path(exportLink(deps, { chatId: CHAT, format: 'xlsx' }, BASE)).slice('/files/'.length);
    const [body, sig] = good.split('.') as [string, string];
    // A payload for another chat with the old signature.
    const otherBody = Buffer.from(JSON.stringify({ chatId: 'feishu:oc_other', format: 'xlsx', exp: START.getTime() + LINK_TTL_MS })).toString('base64url');
    const forged = [
      `${otherBody}.${sig}`,
      `${body}.${sig.slice(0, -3)}AAA`,
      signLink(Buffer.alloc(32, 1), { chatId: CHAT, format: 'xlsx', exp: START.getTime() + LINK_TTL_MS }),
      'not-a-token',
      `${body}.${sig}.${sig}`,
    ];
    expect(getLinkSecret(db).equals(Buffer.alloc(32, 1))).toBe(false);
    for (const token of forged) {
      const res = await app.inject({ url: `/files/${token}` });
      expect(res.statusCode, token).toBe(403);
      expect(res.body).toContain('下载链接无效');
      expect(res.body).toContain('Invalid download link');
    }
    expect((await app.inject({ url: '/files/' })).statusCode).toBe(403);
  });

  it('answers 404 when the linked item is gone', async () => {
    const { app, db, deps } = await setup();
    const url = path(exportLink(deps, { chatId: CHAT, itemId: 10, format: 'md' }, BASE));
    db.$client.prepare('delete from items where id = ?').run(10);
    const res = await app.inject({ url });
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('不存在');
  });
});

describe('inside the real app (createRuntime)', () => {
  it('a Core satisfies the routes’ dependencies, and the runtime serves the route', async () => {
    expectTypeOf<Core>().toExtend<ExportDeps>();
    const rt = await createRuntime(parseConfig({ database: { file: ':memory:' }, log: { level: 'silent' } }));
    try {
      const url = path(exportLink(rt, { chatId: 'sandbox:g1', format: 'csv' }, 'http://127.0.0.1:3000'));
      const ok = await rt.app.inject({ url });
      expect(ok.statusCode).toBe(200);
      expect(decodeFilenameStar(String(ok.headers['content-disposition']))).toMatch(/^未命名项目-跨部门协作-\d{8}\.csv$/);
      expect((await rt.app.inject({ url: url.slice(0, -4) + 'AAAA' })).statusCode).toBe(403);
    } finally {
      await rt.close();
    }
  });
});

describe('contentDisposition', () => {
  it('percent-encodes UTF-8 and the characters RFC 5987 reserves', () => {
    expect(contentDisposition("项目(一)-跨部门协作-20261115.xlsx")).toBe(
      `attachment; filename="archive-20261115.xlsx"; filename*=UTF-8''${encodeURIComponent('项目')}%28${encodeURIComponent('一')}%29-${encodeURIComponent('跨部门协作')}-20261115.xlsx`,
    );
    expect(contentDisposition('x.md')).toBe(`attachment; filename="archive.md"; filename*=UTF-8''x.md`);
  });
});
