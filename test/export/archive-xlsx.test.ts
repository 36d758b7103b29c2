import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { ArchiveError, buildArchive } from '../../src/export/archive.ts';
import { SHEETS, SHEET_NAMES } from './headers.ts';
import { CHAT, TZ, U, seed, sh, wall } from './seed.ts';

// 2026-11-14 17:30 UTC is already 11-15 in Shanghai: the file name uses the zone's date.
const NOW = new Date('2026-11-14T17:30:00Z');

async function workbook(body: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(body as unknown as ExcelJS.Buffer);
  return wb;
}

/** Data rows of a sheet as objects keyed by header, cell values as exceljs reads them. */
function rows(ws: ExcelJS.Worksheet): Array<Record<string, ExcelJS.CellValue>> {
  const headers = (ws.getRow(1).values as ExcelJS.CellValue[]).slice(1).map(String);
  const out: Array<Record<string, ExcelJS.CellValue>> = [];
  ws.eachRow((row, n) => {
    if (n === 1) return;
    out.push(Object.fromEntries(headers.map((h, i) => [h, row.getCell(i + 1).value ?? null])));
  });
  return out;
}

function sheet(wb: ExcelJS.Workbook, name: string): ExcelJS.Worksheet {
  const ws = wb.getWorksheet(name);
  if (!ws) throw new Error(`no sheet ${name}`);
  return ws;
}

describe('buildArchive xlsx (read back with exceljs)', () => {
  it('names the file 项目名称-协作类型-日期 in the zone and has one sheet per seed table with the seed headers', async () => {
    const { db } = seed();
    const file = await buildArchive(db, { chatId: CHAT, format: 'xlsx', timezone: TZ, now: NOW });
    expect(file.filename).toBe('双十一大促-跨部门协作-20261115.xlsx');
    expect(file.contentType).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const wb = await workbook(file.body);
    expect(wb.worksheets.map((w) => w.name)).toEqual(SHEET_NAMES);
    for (const [name, headers] of SHEETS) {
      const ws = sheet(wb, name);
      expect((ws.getRow(1).values as unknown[]).slice(1), name).toEqual(headers);
      expect(ws.getRow(1).getCell(1).font?.bold, name).toBe(true);
      expect(ws.views[0], name).toMatchObject({ state: 'frozen', ySplit: 1 });
      expect(ws.getColumn(1).width, name).toBeGreaterThan(0);
    }
  });

  it('fills every table from the records, names resolved and times in the zone', async () => {
    const { db } = seed();
    const wb = await workbook((await buildArchive(db, { chatId: CHAT, format: 'xlsx', timezone: TZ, now: NOW })).body);

    const reqs = rows(sheet(wb, '协作需求发起表'));
    expect(reqs.map((r) => r['编号'])).toEqual(['#1', '#10']);
    expect(reqs[0]).toMatchObject({
      需求编号: '2026-市-001',
      协作主题: '双十一大促活动页面与库存保障',
      发起部门: '市场部',
      发起人: '张伟',
      '涉及部门/人员': '李娜、王强、赵敏',
      需求背景与目标: 'Q4 目标：提升用户活跃度 20%',
      优先级: '高',
      紧急程度: '一般',
      期望完成时间: wall('2026-11-10 18:00'),
      交付标准: '活动页面 11月10日前上线，压测 5000 QPS 通过',
      当前状态: '已关闭',
      发起时间: wall('2026-11-02 09:30'),
    });
    expect(sheet(wb, '协作需求发起表').getRow(2).getCell(11).numFmt).toBe('yyyy-mm-dd hh:mm');
    // Text that looks like a formula stays text in a workbook.
    expect(reqs[1]!['协作主题']).toBe('=客服话术|培训');

    const contacts = rows(sheet(wb, '协作对接信息表')).filter((r) => r['编号'] === '#1');
    expect(contacts.map((r) => [r['所属方'], r['对接角色'], r['对接人'], r['确认状态']])).toEqual([
      ['主责方', '发起人', '张伟', ''],
      ['协作方', '总对接人', '李娜', '已确认'],
      ['协作方', '总对接人', '王强', '已确认'],
      ['协作方', '子对接人', '赵敏', '已确认'],
    ]);
    expect(contacts[1]).toMatchObject({ 联系方式: '飞书 ou_li', 职责分工: '负责活动页面开发整体协调', 确认时间: wall('2026-11-02 10:00') });
    expect(contacts[3]!['确认时间']).toEqual(wall('2026-11-02 11:30'));

    const tasks = rows(sheet(wb, '任务分解与分配表'));
    expect(tasks.map((r) => r['编号'])).toEqual(['#2', '#3', '#7', '#9']);
    expect(tasks[0]).toMatchObject({
      任务名称: '活动页面前端开发',
      所属事项: '#1 双十一大促活动页面与库存保障',
      来源: '任务分解',
      责任人: '赵敏',
      协作人: '陈磊',
      交付标准: '兼容 iOS/Android 主流机型',
      截止时间: wall('2026-11-08 18:00'),
      当前状态: '已完成',
      完成度: 1,
      分配人: '张伟',
    });
    expect(sheet(wb, '任务分解与分配表').getRow(2).getCell(10).numFmt).toBe('0%');
    expect(tasks[2]).toMatchObject({ 所属事项: '#6 大促项目协调会', 来源: '会议决议', 责任人: '陈磊', 当前状态: '待开始', 完成度: 0 });
    expect(tasks[3]).toMatchObject({ 所属事项: '#8 与 @李娜 确认接口字段', 来源: '沟通待办', 责任人: '李娜' });

    const progress = rows(sheet(wb, '进度跟踪记录表'));
    expect(progress.map((r) => [r['编号'], r['完成度']])).toEqual([
      ['#2', 0.4],
      ['#3', 0.6],
      ['#2', 0.8],
    ]);
    expect(progress[2]).toMatchObject({
      更新时间: wall('2026-11-06 16:50'),
      任务名称: '活动页面前端开发',
      责任人: '赵敏',
      当前状态: '进行中',
      风险问题: '接口联调延迟',
      解决措施: '后端加派一人支援',
      更新人: '赵敏',
    });
    expect(progress[0]!['进展说明']).toBe('首页与会场页完成');

    const comms = rows(sheet(wb, '沟通协作记录表'));
    expect(comms.map((r) => [r['编号'], r['沟通方式']])).toEqual([
      ['#4', '问题反馈'],
      ['#8', '沟通记录'],
    ]);
    expect(comms[0]).toMatchObject({
      沟通时间: wall('2026-11-03 10:00'),
      发起人: '赵敏',
      参与人: '赵敏、李娜',
      核心内容: '优惠券规则是否按满300减50？',
      '关键结论/回复': '是，每人限领1张（李娜，2026-11-03 10:40）',
      责任方: '李娜',
      紧急程度: '紧急',
      当前状态: '已回复',
    });
    expect(comms[1]).toMatchObject({
      参与人: '张伟、李娜',
      核心内容: '与 @李娜 确认接口字段，需补充库存同步接口',
      待办事项: '#9 补充库存同步接口文档',
      责任方: '李娜',
      截止时间: wall('2026-11-05 18:00'),
      紧急程度: '一般',
      当前状态: '已记录',
    });

    const issues = rows(sheet(wb, '问题跟踪表'));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({
      编号: '#5',
      问题描述: '支付回调偶发超时，订单状态不同步',
      影响范围: '约 2% 订单支付状态延迟',
      严重程度: '重要',
      责任方: '陈磊',
      提出人: '张伟',
      计划解决时间: wall('2026-11-06 18:00'),
      实际解决时间: wall('2026-11-05 20:00'),
      解决结果: '回调改为异步重试，超时率降至 0.01%',
      证明材料: 'https://wiki.example.com/test-report',
      验证关闭时间: wall('2026-11-06 09:30'),
      当前状态: '已关闭',
    });

    const minutes = rows(sheet(wb, '会议纪要'));
    expect(minutes).toHaveLength(1);
    expect(minutes[0]).toMatchObject({
      编号: '#6',
      会议主题: '大促项目协调会',
      会议时间: wall('2026-11-03 14:00'),
      地点: '3楼会议室',
      参会人员: '李娜、王强、陈磊',
      记录人: '张伟',
      议题: '1. 研发进度\n2. 库存准备',
      决议: '11月5日前完成压测',
      负责人: '陈磊',
      完成时限: wall('2026-11-05 18:00'),
      跟踪任务: '#7',
      任务状态: '待开始',
      确认情况: '已确认：李娜、王强；待确认：陈磊',
      纪要状态: '待确认',
    });

    const acceptance = rows(sheet(wb, '成果验收表'));
    expect(acceptance.map((r) => [r['编号'], r['轮次'], r['验收结果']])).toEqual([
      ['#1', 1, '驳回'],
      ['#1', 2, '通过'],
      ['#2', 1, '通过'],
    ]);
    expect(acceptance[0]).toMatchObject({
      交付物: '活动页面 v1',
      证明材料: 'https://wiki.example.com/release-v1',
      交付方: '李娜',
      接收方: '张伟',
      提交时间: wall('2026-11-06 17:00'),
      整改要求: '移动端样式错位',
      新期限: wall('2026-11-09 18:00'),
      签字确认: '',
    });
    expect(acceptance[1]).toMatchObject({ 交付物: '活动页面 v2 已上线', 签字确认: '张伟', 验收时间: wall('2026-11-09 16:00'), 整改要求: '' });
    expect(acceptance[2]).toMatchObject({ 成果名称: '活动页面前端开发', 交付方: '赵敏', 接收方: '张伟', 验收标准: '兼容 iOS/Android 主流机型' });

    const retro = rows(sheet(wb, '协作复盘报告'));
    expect(retro.map((r) => [r['复盘人'], r['亮点'], r['不足']])).toEqual([
      ['李娜', '页面按期上线', ''],
      ['张伟', '跨部门沟通效率高，问题当天闭环', '需求变更未及时同步到仓储部'],
    ]);
    expect(retro[1]).toEqual(
      {
        项目名称: '双十一大促',
        编号: '#1',
        需求编号: '2026-市-001',
        协作主题: '双十一大促活动页面与库存保障',
        复盘时间: wall('2026-11-13 15:00'),
        参与人员: '张伟、李娜、王强、赵敏',
        亮点: '跨部门沟通效率高，问题当天闭环',
        不足: '需求变更未及时同步到仓储部',
        改进措施: '建立需求变更通知机制',
        复盘人: '张伟',
      },
    );
  });

  it('archives one request with everything under it (grandchildren too), and nothing else', async () => {
    const { db } = seed();
    const file = await buildArchive(db, { chatId: CHAT, itemId: 1, format: 'xlsx', timezone: TZ, now: NOW });
    expect(file.filename).toBe('双十一大促-跨部门协作（2026-市-001）-20261115.xlsx');
    const wb = await workbook(file.body);
    expect(rows(sheet(wb, '协作需求发起表')).map((r) => r['编号'])).toEqual(['#1']);
    expect(rows(sheet(wb, '任务分解与分配表')).map((r) => r['编号'])).toEqual(['#2', '#3', '#7', '#9']);
    expect(rows(sheet(wb, '会议纪要')).map((r) => r['编号'])).toEqual(['#6']);
  });

  it('an archive of a request without children has every sheet with headers and no rows', async () => {
    const { db } = seed();
    const wb = await workbook((await buildArchive(db, { chatId: CHAT, itemId: 10, format: 'xlsx', timezone: TZ, now: NOW })).body);
    expect(wb.worksheets.map((w) => w.name)).toEqual(SHEET_NAMES);
    expect(rows(sheet(wb, '协作需求发起表'))).toHaveLength(1);
    for (const name of SHEET_NAMES.slice(2)) expect(rows(sheet(wb, name)), name).toEqual([]);
  });

  it('refuses an item of another chat or one that does not exist', async () => {
    const { db } = seed();
    await expect(buildArchive(db, { chatId: CHAT, itemId: 11, format: 'xlsx', timezone: TZ, now: NOW })).rejects.toBeInstanceOf(ArchiveError);
    await expect(buildArchive(db, { chatId: CHAT, itemId: 999, format: 'md', timezone: TZ, now: NOW })).rejects.toMatchObject({ code: 'item_not_found' });
  });

  it('uses the chat name when the group has no /setup binding, and tolerates items with missing data', async () => {
    const { db, repo } = seed({ setup: false });
    repo.insertItem({ platform: 'feishu', chatId: CHAT, kind: 'task', title: '无数据任务', state: 'todo', initiatorId: U.zhang, data: {}, createdAt: sh('2026-11-11 09:00'), updatedAt: sh('2026-11-11 09:00') });
    repo.insertItem({ platform: 'feishu', chatId: CHAT, kind: 'issue', title: '无数据问题', state: 'open', initiatorId: U.zhang, data: { reviews: 'not-a-list' }, createdAt: sh('2026-11-11 09:00'), updatedAt: sh('2026-11-11 09:00') });
    repo.insertItem({ platform: 'feishu', chatId: CHAT, kind: 'minutes', title: '无数据纪要', state: 'confirmed', initiatorId: 'feishu:ou_unknown', data: { decisions: [null, 3] }, createdAt: sh('2026-11-11 09:00'), updatedAt: sh('2026-11-11 09:00') });
    const file = await buildArchive(db, { chatId: CHAT, format: 'xlsx', timezone: TZ, now: NOW });
    // "/" and other characters a file name cannot hold are replaced.
    expect(file.filename).toBe('【市场部_技术部】双十一大促协作20261102-跨部门协作-20261115.xlsx');
    const wb = await workbook(file.body);
    expect(rows(sheet(wb, '任务分解与分配表')).at(-1)).toMatchObject({ 任务名称: '无数据任务', 责任人: '', 截止时间: null, 完成度: null });
    expect(rows(sheet(wb, '问题跟踪表')).at(-1)).toMatchObject({ 问题描述: '无数据问题', 严重程度: '一般', 实际解决时间: null });
    expect(rows(sheet(wb, '会议纪要')).at(-1)).toMatchObject({ 会议主题: '无数据纪要', 记录人: 'feishu:ou_unknown', 决议: '' });
    expect(rows(sheet(wb, '协作需求发起表'))[0]!['发起部门']).toBe('');

    const orphan = await buildArchive(db, { chatId: 'feishu:oc_never_seen', format: 'xlsx', timezone: TZ, now: NOW });
    expect(orphan.filename).toBe('未命名项目-跨部门协作-20261115.xlsx');
  });
});
