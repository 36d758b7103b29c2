// The archive of a customer request, read back with exceljs: named 客户名称-项目名称-日期, with the
// customer type's documents as sheets under the seeds' headers and a sheet of the stage sign-offs.

import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { ProcessRegistry } from '../../src/domain/processes/registry.ts';
import { buildArchive } from '../../src/export/archive.ts';
import { A, B, C, CHAT, Conversation } from '../engine/driver.ts';

async function sheets(body: Buffer): Promise<Map<string, string[][]>> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(body as unknown as ExcelJS.Buffer);
  const out = new Map<string, string[][]>();
  for (const ws of wb.worksheets) {
    const rows: string[][] = [];
    ws.eachRow((row) => rows.push((row.values as ExcelJS.CellValue[]).slice(1).map((v) => (v instanceof Date ? v.toISOString() : String(v ?? '')))));
    out.set(ws.name, rows);
  }
  return out;
}

describe('archive of a typed request', () => {
  it('a customer request: file named 客户名称-项目名称-日期, its documents as sheets with the seed headers', async () => {
    const c = new Conversation();
    await c.say(A, '/设置 project:智能办公系统 dept:销售部');
    await c.say(A, '/需求 数据看板定制 to:@李四 类型:客户 客户:A科技公司 截止:2027-03-31');
    await c.say(A, '/对接 #1 @王五 role:客户对接人');
    await c.say(A, '/完成 #1 客户名称：A科技公司；核心诉求：定制数据看板；预算范围：20万；期望交付时间：12月20日 evidence:https://example.com/list');
    await c.click(C, c.cardFor('【阶段签核】', C), '签核通过');
    await c.say(B, '/完成 #1 需求评审 需调整 预算需增加');
    await c.click(A, c.cardFor('【阶段签核】', A), '退回', { reason: '理由不具体', due: '+2d' });
    await c.say(A, '/跳过 #1 方案确认 reason:沿用上一期方案');
    await c.say(A, '/变更 #1 增加导出功能 reason:客户新增需求');
    await c.click(C, c.cardFor('【需求变更单】', C), '确认变更');
    await c.say(A, '/满意度 #1');
    await c.click(C, c.cardFor('【满意度调研】', C), '提交评价', { score: '5', comment: '非常满意' });

    const file = await buildArchive(c.db, { chatId: CHAT, itemId: 1, format: 'xlsx', timezone: 'Asia/Shanghai', now: c.clock.now(), processes: new ProcessRegistry() });
    expect(file.filename).toBe('A科技公司-智能办公系统-20261123.xlsx');
    const wb = await sheets(file.body);
    const names = [...wb.keys()];
    // The seed tables first, then the customer type's documents in stage order, then the sign-off log.
    expect(names.slice(0, 2)).toEqual(['协作需求发起表', '协作对接信息表']);
    expect(names.slice(-8)).toEqual(['客户需求清单', '需求评审结论', '客户需求确认函', '正式合同文本', '进度报告', '需求变更单', '满意度调研报告', '阶段签核记录']);
    const list = wb.get('客户需求清单')!;
    expect(list[0]).toEqual(['需求编号', '客户名称', '核心诉求', '预算范围', '期望交付时间', '附件', '提交人', '提交时间', '签核人', '签核时间']);
    expect(list[1]!.slice(0, 8)).toEqual(['#1', 'A科技公司', '定制数据看板', '20万', '12月20日', 'https://example.com/list', '张三', expect.stringMatching(/^2026-11-23T10:00/)]);
    expect(list[1]![8]).toBe('王五');
    expect(wb.get('需求评审结论')![0]).toEqual(['需求编号', '评审结论', '理由', '附件', '提交人', '提交时间', '签核人', '签核时间']);
    expect(wb.get('需求评审结论')![1]!.slice(0, 2)).toEqual(['#1', '需调整 预算需增加']);
    expect(wb.get('客户需求确认函')).toHaveLength(1); // headers only: the stage was skipped
    const changes = wb.get('需求变更单')!;
    expect(changes[0]).toEqual(['需求编号', '变更内容', '原因', '客户确认', '附件', '提交人', '提交时间', '签核人', '签核时间']);
    expect(changes[1]!.slice(0, 6)).toEqual(['#1', '增加导出功能', '客户新增需求', '已确认', '', '张三']);
    expect(changes[1]![7]).toBe('王五');
    const survey = wb.get('满意度调研报告')!;
    expect(survey[0]!.slice(0, 4)).toEqual(['需求编号', '满意度评分', '意见', '遗留问题']);
    expect(survey[1]!.slice(0, 3)).toEqual(['#1', '5', '非常满意']);
    const log = wb.get('阶段签核记录')!;
    expect(log[0]).toEqual(['需求编号', '协作类型', '阶段', '文档', '内容', '结论', '完成人', '完成时间', '签核人', '签核时间', '状态', '退回/跳过原因']);
    expect(log.slice(1).map((r) => [r[2], r[10], r[11]])).toEqual([
      ['需求收集', '已签核', ''],
      ['需求评审', '已退回', '张三：理由不具体'],
      ['方案确认', '已跳过', '沿用上一期方案'],
    ]);
  });

  it('a supplier request: the 排期计划 sheet holds the supplier\'s confirmation, the 延期说明 sheet each delay note', async () => {
    const c = new Conversation();
    await c.say(A, '/设置 project:测试服务器 dept:采购部');
    await c.say(A, '/需求 服务器采购 to:@李四 类型:供应商 供应商:B制造 截止:2027-03-31');
    await c.say(A, '/对接 #1 @张三 role:采购');
    await c.say(A, '/对接 #1 @王五 role:供应商');
    await c.say(A, '/对接 #1 @李四 role:质量');
    await c.say(A, '/跳过 #1 意向与资质 reason:年度合格供应商');
    await c.say(A, '/跳过 #1 评估选定 reason:年度合格供应商');
    await c.say(A, '/完成 #1 规格：2U；数量：20；交货时间：12月10日；验收标准：72 小时压测');
    await c.say(C, '/完成 #1 排期计划 节点：生产启动；计划时间：12月8日');
    await c.say(C, '/完成 #1 延期说明 延期原因：芯片缺货；调整方案：改用替代料；计划时间：12月15日');
    const file = await buildArchive(c.db, { chatId: CHAT, itemId: 1, format: 'xlsx', timezone: 'Asia/Shanghai', now: c.clock.now(), processes: new ProcessRegistry() });
    expect(file.filename).toBe('B制造-测试服务器-20261123.xlsx');
    const wb = await sheets(file.body);
    expect([...wb.keys()]).toEqual(expect.arrayContaining(['采购订单', '排期计划', '进度跟踪记录', '延期说明']));
    const plan = wb.get('排期计划')!;
    expect(plan[0]!.slice(0, 3)).toEqual(['需求编号', '节点', '计划时间']);
    expect(plan.slice(1).map((r) => [...r.slice(0, 3), r[4]])).toEqual([['#1', '生产启动', '12月8日', '王五']]);
    const delay = wb.get('延期说明')!;
    expect(delay[0]!.slice(0, 4)).toEqual(['需求编号', '延期原因', '调整方案', '计划时间']);
    expect(delay.slice(1).map((r) => [...r.slice(0, 4), r[5]])).toEqual([['#1', '芯片缺货', '改用替代料', '12月15日', '王五']]);
    expect(wb.get('进度跟踪记录')).toHaveLength(1); // nothing completed there yet
  });

  it('a 跨部门 request keeps the generic name and only the seed sheets', async () => {
    const c = new Conversation();
    await c.say(A, '/设置 project:官网改版 dept:技术部');
    await c.say(A, '/需求 接口联调 to:@李四 截止:2027-03-31');
    const file = await buildArchive(c.db, { chatId: CHAT, itemId: 1, format: 'xlsx', timezone: 'Asia/Shanghai', now: c.clock.now(), processes: new ProcessRegistry() });
    expect(file.filename).toMatch(/^官网改版-跨部门协作（2026-技-001）-20261123\.xlsx$/);
    const names = [...(await sheets(file.body)).keys()];
    expect(names).not.toContain('阶段签核记录');
  });
});
