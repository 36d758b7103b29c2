// The archive's SLA sheet, read back with exceljs: one question answered in time, one late, a
// problem responded to, counted in working hours (09:00–18:00, no lunch break configured).

import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { WorkCalendar } from '../../src/domain/calendar.ts';
import { clockSet } from '../../src/domain/clocks.ts';
import { buildArchive } from '../../src/export/archive.ts';
import { A, B, C, CHAT, Conversation } from '../engine/driver.ts';

describe('archive: the SLA sheet', () => {
  it('has the compliance table per person, type, chat and week', async () => {
    const c = new Conversation('2026-11-23T10:00:00+08:00');
    c.repo.ensureChat(CHAT, 'sandbox', '联调群');
    await c.say(A, '/设置 project:支付升级 dept:技术部');
    await c.say(A, '/反馈 @李四 接口文档？'); // #1, due Tue 18:00
    await c.say(A, '/反馈 @王五 测试环境？'); // #2, due Tue 18:00
    await c.say(A, '/问题 支付回调超时 sev:一般 @王五 截止:2027-03-31'); // #3, due Tue 18:00
    c.clock.set('2026-11-23T13:00:00+08:00');
    await c.say(B, '/回复 #1 周三'); // 3 wh, met
    await c.say(C, '/进度 #3 10% 排查中'); // 3 wh, met
    c.clock.set('2026-11-25T10:00:00+08:00');
    await c.say(C, '/回复 #2 test.example.com'); // 8 + 9 + 1 = 18 wh, breached

    const cfg = parseConfig({ log: { level: 'silent' } });
    const calendar = new WorkCalendar({ ...cfg.calendar });
    const file = await buildArchive(c.db, {
      chatId: CHAT,
      format: 'xlsx',
      timezone: 'Asia/Shanghai',
      now: c.clock.now(),
      sla: { clocks: clockSet(cfg.clocks, calendar.workdayMs), calendar },
    });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(file.body as unknown as ExcelJS.Buffer);
    const ws = wb.getWorksheet('SLA')!;
    expect(ws).toBeDefined();
    const rows: unknown[][] = [];
    ws.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
    expect(rows).toEqual([
      ['维度', '对象', '按时', '超时', '达标率', '响应中位数（小时）', '响应 P90（小时）', '计时'],
      ['合计', '合计', 2, 1, 0.667, 3, 18, '工作时间'],
      ['按人', '李四', 1, 0, 1, 3, 3, '工作时间'],
      ['按人', '王五', 1, 1, 0.5, 10.5, 18, '工作时间'],
      ['按类型', '反馈', 1, 1, 0.5, 10.5, 18, '工作时间'],
      ['按类型', '问题', 1, 0, 1, 3, 3, '工作时间'],
      ['按群', '支付升级', 2, 1, 0.667, 3, 18, '工作时间'],
      ['按周', '2026-W48', 2, 1, 0.667, 3, 18, '工作时间'],
    ]);
  });
});
