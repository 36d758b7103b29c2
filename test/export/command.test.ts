import ExcelJS from 'exceljs';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { FakeClock } from '../../src/domain/clock.ts';
import { createRuntime } from '../../src/runtime.ts';

describe('/归档 in a chat', () => {
  it('replies with a signed link that downloads the workbook, and refuses it after 24 h', async () => {
    const clock = new FakeClock(new Date('2026-11-23T10:00:00+08:00'));
    const rt = await createRuntime(parseConfig({ database: { file: ':memory:' }, log: { level: 'silent' } }), { clock, log: pino({ level: 'silent' }) });
    try {
      const post = (userId: string, text: string) =>
        rt.app.inject({ method: 'POST', url: '/sandbox/api/messages', payload: { chatId: 'sandbox:g1', userId, text } });
      await post('sandbox:zhangsan', '/设置 project:官网改版 dept:技术部');
      await post('sandbox:zhangsan', '/需求 接口联调 协作:@李四 截止:周五');
      await post('sandbox:zhangsan', '/归档 xlsx');
      await rt.dispatcher.drain();
      const { messages } = (await rt.app.inject({ url: '/sandbox/api/messages?chatId=sandbox:g1' })).json() as {
        messages: Array<{ body: { type: string; text?: string } }>;
      };
      const reply = messages.map((m) => m.body.text ?? '').find((t) => t.includes('协作归档'))!;
      const url = /http:\/\/\S+/.exec(reply)![0];
      const path = new URL(url).pathname;
      const res = await rt.app.inject({ url: path });
      expect(res.statusCode).toBe(200);
      expect(decodeURIComponent(res.headers['content-disposition'] as string)).toContain('官网改版-跨部门协作-20261123.xlsx');
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
      const sheet = wb.getWorksheet('协作需求发起表')!;
      expect(sheet.getRow(2).values).toEqual(expect.arrayContaining(['2026-技-001', '接口联调']));
      clock.advance(24 * 3600_000 + 1000);
      expect((await rt.app.inject({ url: path })).statusCode).toBe(410);
      expect((await rt.app.inject({ url: path.slice(0, -3) + 'abc' })).statusCode).toBe(403);
    } finally {
      await rt.close();
    }
  });

  it('refuses, in the chat, to archive an item of another group (no link that would then 404)', async () => {
    const clock = new FakeClock(new Date('2026-11-23T10:00:00+08:00'));
    const rt = await createRuntime(parseConfig({ database: { file: ':memory:' }, log: { level: 'silent' } }), { clock, log: pino({ level: 'silent' }) });
    try {
      const post = (chatId: string, text: string) =>
        rt.app.inject({ method: 'POST', url: '/sandbox/api/messages', payload: { chatId, userId: 'sandbox:zhangsan', text } });
      const g2 = (await rt.app.inject({ method: 'POST', url: '/sandbox/api/chats', payload: { name: '【产品部】需求评审' } })).json() as { id: string };
      await post('sandbox:g1', '/需求 接口联调 协作:@李四 截止:周五');
      await post(g2.id, '/归档 #1 xlsx');
      await post(g2.id, '/归档 #99');
      await rt.dispatcher.drain();
      const { messages } = (await rt.app.inject({ url: `/sandbox/api/messages?chatId=${g2.id}` })).json() as {
        messages: Array<{ senderId: string | null; body: { type: string; text?: string } }>;
      };
      const replies = messages.filter((m) => m.senderId === null).map((m) => m.body.text ?? '');
      expect(replies).toHaveLength(2);
      for (const [i, id] of [1, 99].entries()) {
        expect(replies[i]).toMatch(new RegExp(`^找不到事项 #${id}`));
        expect(replies[i]).toContain('本群');
        expect(replies[i]).not.toMatch(/https?:\/\//);
      }
    } finally {
      await rt.close();
    }
  });
});
