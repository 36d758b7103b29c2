// The archive of a collaboration run through the real engine (commands and card clicks), so the
// row builders are checked against what the engine actually stores, not only against fixtures.

import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { buildArchive } from '../../src/export/archive.ts';
import { A, B, C, CHAT, Conversation } from '../engine/driver.ts';
import { SHEET_NAMES } from './headers.ts';

function rows(wb: ExcelJS.Workbook, name: string): Array<Record<string, ExcelJS.CellValue>> {
  const ws = wb.getWorksheet(name)!;
  const headers = (ws.getRow(1).values as ExcelJS.CellValue[]).slice(1).map(String);
  const out: Array<Record<string, ExcelJS.CellValue>> = [];
  ws.eachRow((row, n) => {
    if (n > 1) out.push(Object.fromEntries(headers.map((h, i) => [h, row.getCell(i + 1).value ?? null])));
  });
  return out;
}

describe('archive of an engine-run collaboration', () => {
  it('shows what the commands recorded', async () => {
    const c = new Conversation('2026-11-23T10:00:00+08:00');
    c.repo.ensureChat(CHAT, 'sandbox', '联调群');
    await c.say(A, '/设置 project:支付升级 dept:技术部');
    await c.say(A, '/需求 接口联调 协作:@李四 @王五 截止:周五 优先级:高 标准:联调通过');
    await c.click(B, c.cardFor('需求确认', B), '确认对接');
    await c.click(C, c.cardFor('需求确认', C), '确认对接');
    await c.say(A, '/任务 #1 登录接口 @李四 with:@王五 截止:周四 标准:联调通过');
    await c.say(B, '/进度 #2 60% risk:第三方延迟 plan:先用模拟数据');
    await c.say(B, '/提交 #2 登录接口已上线 evidence:https://example.com/doc');
    await c.say(A, '/问题 支付回调超时 sev:紧急 @李四 due:后天 impact:影响验收');
    await c.say(A, '/反馈 @王五 测试环境地址？');
    await c.say(C, '/回复 #4 http://test.example.com');

    const file = await buildArchive(c.db, { chatId: CHAT, format: 'xlsx', timezone: 'Asia/Shanghai', now: c.clock.now() });
    expect(file.filename).toBe('支付升级-跨部门协作-20261123.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(file.body as unknown as ExcelJS.Buffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(SHEET_NAMES);

    expect(rows(wb, '协作需求发起表')).toEqual([
      expect.objectContaining({ 编号: '#1', 需求编号: '2026-技-001', 协作主题: '接口联调', 发起部门: '技术部', 发起人: '张三', '涉及部门/人员': '李四、王五', 优先级: '高', 交付标准: '联调通过', 当前状态: '进行中', 期望完成时间: new Date('2026-11-27T18:00:00Z') }),
    ]);
    expect(rows(wb, '协作对接信息表').map((r) => [r['对接人'], r['对接角色'], r['确认状态']])).toEqual([
      ['张三', '发起人', ''],
      ['李四', '总对接人', '已确认'],
      ['王五', '总对接人', '已确认'],
    ]);
    expect(rows(wb, '任务分解与分配表')).toEqual([
      expect.objectContaining({ 编号: '#2', 任务名称: '登录接口', 所属事项: '#1 接口联调', 责任人: '李四', 协作人: '王五', 当前状态: '待验收', 完成度: 1 }),
    ]);
    expect(rows(wb, '进度跟踪记录表')).toEqual([
      expect.objectContaining({ 编号: '#2', 完成度: 0.6, 风险问题: '第三方延迟', 更新人: '李四', 当前状态: '进行中' }),
    ]);
    expect(rows(wb, '成果验收表')).toEqual([
      expect.objectContaining({ 编号: '#2', 交付物: '登录接口已上线', 证明材料: 'https://example.com/doc', 交付方: '李四', 接收方: '张三', 轮次: 1, 验收结果: '待验收' }),
    ]);
    expect(rows(wb, '问题跟踪表')).toEqual([
      expect.objectContaining({ 编号: '#3', 问题描述: '支付回调超时', 影响范围: '影响验收', 严重程度: '紧急', 责任方: '李四', 当前状态: '待处理' }),
    ]);
    expect(rows(wb, '沟通协作记录表')).toEqual([
      expect.objectContaining({ 编号: '#4', 沟通方式: '问题反馈', 核心内容: '测试环境地址？', 责任方: '王五', 当前状态: '已回复' }),
    ]);
    expect(String(rows(wb, '沟通协作记录表')[0]!['关键结论/回复'])).toMatch(/^http:\/\/test\.example\.com（王五，2026-11-23 10:00）$/);
  });
});
