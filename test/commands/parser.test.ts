import { describe, expect, it } from 'vitest';
import { usage } from '../../src/commands/help.ts';
import { parseCommand } from '../../src/commands/parser.ts';
import type { Command, CommandName } from '../../src/commands/types.ts';
import { ALICE, LS, WW, ZL, ZS, at, makeCtx } from './fixtures.ts';

const FRI_18 = at('2026-11-27T10:00:00Z'); // 周五 18:00 Shanghai
const TOMORROW_18 = at('2026-11-24T10:00:00Z');
const DEC1_18 = at('2026-12-01T10:00:00Z');

// Mention tokens as the platform delivers them (`<@id>`, listed in ctx.mentions).
const T_ZS = '<@feishu:ou_zs>';
const T_LS = '<@feishu:ou_ls>';

const OK_CASES: Array<[string, Command]> = [
  // /需求 /req
  [
    `/需求 官网改版接口联调 to:${T_ZS} ${T_LS} due:12月1日 pri:高 std:联调通过 并出报告`,
    { name: 'req', title: '官网改版接口联调', to: [ZS, LS], due: DEC1_18, pri: 'high', std: '联调通过 并出报告' },
  ],
  [
    '／需求　接口联调　对接：＠张三　截止：下周一 10点　优先级：低',
    { name: 'req', title: '接口联调', to: [ZS], due: at('2026-11-30T02:00:00Z'), pri: 'low' },
  ],
  [
    '/REQ Checkout API to:@alice due:+2d pri:HIGH std:"tests pass: all green" urgent',
    { name: 'req', title: 'Checkout API', to: [ALICE], due: at('2026-11-25T02:00:00Z'), pri: 'high', std: 'tests pass: all green', urgency: 'urgent' },
  ],
  ['需求 数据看板 to:@王五 截止:周五', { name: 'req', title: '数据看板', to: [WW], due: FRI_18, pri: 'medium' }],
  [
    '/需求 数据看板 不急 给：@王五 期限：12/1 17:00 交付标准：「通过 pri:高 评审」 背景：季度汇报',
    { name: 'req', title: '数据看板', to: [WW], due: at('2026-12-01T09:00:00Z'), pri: 'medium', std: '通过 pri:高 评审', background: '季度汇报', urgency: 'low' },
  ],
  ['/req 标题，to:@张三，due:12-01，pri:m', { name: 'req', title: '标题', to: [ZS], due: DEC1_18, pri: 'medium' }],
  ['/需求接口联调 to:@张三 pri:l due:12-01', { name: 'req', title: '接口联调', to: [ZS], due: DEC1_18, pri: 'low' }],
  ['/需求 标题\nto:@张三\ndue:明天下午3点', { name: 'req', title: '标题', to: [ZS], due: at('2026-11-24T07:00:00Z'), pri: 'medium' }],
  // /对接 /contact
  ['/对接 #12 @王五 role:子 duty:负责接口文档', { name: 'contact', id: 12, user: WW, role: 'sub', duty: '负责接口文档' }],
  [`/contact 12 ${T_ZS} 负责接口`, { name: 'contact', id: 12, user: ZS, role: 'main', duty: '负责接口' }],
  // role:总 written out replaces a side's 总对接人; 方:@X names the side.
  [`/对接 #12 @王五 role:总 方:${T_ZS} 原因：调岗`, { name: 'contact', id: 12, user: WW, role: 'main', replace: true, side: ZS, reason: '调岗' }],
  [`/contact 12 @王五 role:sub side:${T_ZS} duty:前端`, { name: 'contact', id: 12, user: WW, role: 'sub', side: ZS, duty: '前端' }],
  // /任务 /task
  [
    `/任务 #12 完成登录接口 @王五 with:${T_ZS} @李四 due:周五 std:通过联调`,
    { name: 'task', id: 12, title: '完成登录接口', owner: WW, helpers: [ZS, LS], due: FRI_18, std: '通过联调' },
  ],
  ['/task write docs @alice due:+4h', { name: 'task', title: 'write docs', owner: ALICE, helpers: [], due: at('2026-11-23T06:00:00Z') }],
  ['/任务 ＃3 接口联调 截止：周五 @王五 协助：@赵六', { name: 'task', id: 3, title: '接口联调', owner: WW, helpers: [ZL], due: FRI_18 }],
  // /进度 /progress
  ['/进度 #15 60％ risk:第三方接口延迟 plan:先用模拟数据', { name: 'progress', id: 15, pct: 60, risk: '第三方接口延迟', plan: '先用模拟数据' }],
  ['/progress 15 100', { name: 'progress', id: 15, pct: 100 }],
  ['/进度 #15 0% 风险：人手不足 应对：借调', { name: 'progress', id: 15, pct: 0, risk: '人手不足', plan: '借调' }],
  // /反馈 /提问 /ask
  ['/反馈 @张三 @李四 接口文档什么时候能给？ 紧急', { name: 'ask', to: [ZS, LS], question: '接口文档什么时候能给？', urgent: true }],
  ['/反馈 #12 @张三 接口文档什么时候能给？', { name: 'ask', to: [ZS], question: '接口文档什么时候能给？', urgent: false, requestId: 12 }],
  [`/ask ${T_ZS} when is the API ready? urgent`, { name: 'ask', to: [ZS], question: 'when is the API ready?', urgent: true }],
  ['/提问 @张三 这个紧急问题谁负责', { name: 'ask', to: [ZS], question: '这个紧急问题谁负责', urgent: false }],
  ['/反馈 加急 @王五、@赵六 今天能发版吗', { name: 'ask', to: [WW, ZL], question: '今天能发版吗', urgent: true }],
  // /回复 /reply
  ['/回复 #20 周三前提供', { name: 'reply', id: 20, answer: '周三前提供' }],
  [`/reply 20 yes, ask ${T_LS}`, { name: 'reply', id: 20, answer: 'yes, ask @李四' }],
  // /记录 /note
  [
    '/记录 与客户确认了验收标准 todo:整理验收清单 @王五 due:明天 待办：发邮件 @张三 截止：周五',
    { name: 'note', text: '与客户确认了验收标准', urgent: false, todos: [{ text: '整理验收清单', owner: WW, due: TOMORROW_18 }, { text: '发邮件', owner: ZS, due: FRI_18 }] },
  ],
  ['/记录 #12 客户确认了验收标准', { name: 'note', text: '客户确认了验收标准', urgent: false, todos: [], requestId: 12 }],
  // A leading number without # is the record's text, not a request.
  ['/记录 3 个接口已联调', { name: 'note', text: '3 个接口已联调', urgent: false, todos: [] }],
  ['/note 【紧急】 server down, rollback done', { name: 'note', text: 'server down, rollback done', urgent: true, todos: [] }],
  ['记录 客户说：下周交付', { name: 'note', text: '客户说：下周交付', urgent: false, todos: [] }],
  ['/note Agreed at 10:30, risk: none. See https://x.test/a', { name: 'note', text: 'Agreed at 10:30, risk: none. See https://x.test/a', urgent: false, todos: [] }],
  // /问题 /issue
  [
    '/问题 支付回调超时 sev:重要 @王五 due:后天 impact:影响验收',
    { name: 'issue', text: '支付回调超时', severity: 'major', owner: WW, due: at('2026-11-25T10:00:00Z'), impact: '影响验收' },
  ],
  ['/issue timeout impact:delays release @alice sev:critical due:+4h', { name: 'issue', text: 'timeout', severity: 'critical', owner: ALICE, due: at('2026-11-23T06:00:00Z'), impact: 'delays release' }],
  ['/问题 样式错位 严重程度：一般 @张三 截止：周五', { name: 'issue', text: '样式错位', severity: 'normal', owner: ZS, due: FRI_18 }],
  ['/问题 ＃12 样式错位 sev:一般 @张三 due:周五', { name: 'issue', text: '样式错位', severity: 'normal', owner: ZS, due: FRI_18, requestId: 12 }],
  // /解决 /resolve
  ['/解决 #21 已扩容回调队列 evidence:https://example.com/report', { name: 'resolve', id: 21, result: '已扩容回调队列', evidence: 'https://example.com/report' }],
  ['/resolve 21 fixed', { name: 'resolve', id: 21, result: 'fixed' }],
  // /纪要 /minutes
  [
    '/纪要 接口联调周会\n时间：今天 14:00\n地点：3楼会议室\n参会：@张三 @李四\n- 回顾上周进度\n· 周五前完成联调 @张三 due:周五\n2. 确认上线窗口 @王五 截止:12-01',
    {
      name: 'minutes',
      topic: '接口联调周会',
      time: at('2026-11-23T06:00:00Z'),
      place: '3楼会议室',
      attendees: [ZS, LS],
      agenda: ['回顾上周进度'],
      decisions: [
        { text: '周五前完成联调', owner: ZS, due: FRI_18 },
        { text: '确认上线窗口', owner: WW, due: DEC1_18 },
      ],
    },
  ],
  [
    `/minutes Weekly sync time:09:00 attendees:${T_ZS}\n• ship it @alice due:12/1`,
    { name: 'minutes', topic: 'Weekly sync', time: at('2026-11-23T01:00:00Z'), attendees: [ZS], agenda: [], decisions: [{ text: 'ship it', owner: ALICE, due: DEC1_18 }] },
  ],
  ['/会议纪要 周会', { name: 'minutes', topic: '周会', attendees: [], agenda: [], decisions: [] }],
  ['/纪要 #12 周会\n- 回顾进度', { name: 'minutes', topic: '周会', attendees: [], agenda: ['回顾进度'], decisions: [], requestId: 12 }],
  // /提交 /submit
  ['/提交 #15 登录接口已上线 附件：「https://x.test/doc」', { name: 'submit', id: 15, deliverable: '登录接口已上线', evidence: 'https://x.test/doc' }],
  ['/submit 15 v1.2 released', { name: 'submit', id: 15, deliverable: 'v1.2 released' }],
  // lifecycle
  ['/关闭 #12', { name: 'close', id: 12 }],
  ['/Close ＃１２', { name: 'close', id: 12 }],
  ['/重开 #12 reason:验证未通过', { name: 'reopen', id: 12, reason: '验证未通过' }],
  ['/reopen 12', { name: 'reopen', id: 12 }],
  ['/取消 ＃12 需求变更', { name: 'cancel', id: 12, reason: '需求变更' }],
  ['/cancel #12 原因：预算取消', { name: 'cancel', id: 12, reason: '预算取消' }],
  // /改期 /due
  ['/改期 #15 下周一 10点 reason:第三方接口延期', { name: 'due', id: 15, due: at('2026-11-30T02:00:00Z'), reason: '第三方接口延期' }],
  ['/due 15 12/1 17:00 理由：客户要求', { name: 'due', id: 15, due: at('2026-12-01T09:00:00Z'), reason: '客户要求' }],
  ['/改期 #15 截止：周五 原因：等数据', { name: 'due', id: 15, due: FRI_18, reason: '等数据' }],
  // /转交 /assign
  ['/转交 #15 @赵六 reason:王五休假', { name: 'assign', id: 15, to: ZL, reason: '王五休假' }],
  [`/assign 15 ${T_LS} on leave`, { name: 'assign', id: 15, to: LS, reason: 'on leave' }],
  // /复盘 /retro
  ['/复盘 #12 good:对接及时 bad:需求变更多 improve:需求评审前置', { name: 'retro', id: 12, good: '对接及时', bad: '需求变更多', improve: '需求评审前置' }],
  ['/retro 12 不足：沟通晚', { name: 'retro', id: 12, bad: '沟通晚' }],
  // queries
  ['/列表', { name: 'list', filter: 'open' }],
  ['/list overdue', { name: 'list', filter: 'overdue' }],
  ['列表 我的', { name: 'list', filter: 'mine' }],
  ['/列表 全部', { name: 'list', filter: 'all' }],
  ['/查看 #12', { name: 'show', id: 12 }],
  ['/show 12', { name: 'show', id: 12 }],
  ['/周报', { name: 'report' }],
  ['/report', { name: 'report' }],
  ['/导出 #12 csv', { name: 'export', id: 12, format: 'csv' }],
  ['/归档', { name: 'export', format: 'xlsx' }],
  ['/export markdown 3', { name: 'export', id: 3, format: 'md' }],
  // /设置 /setup
  ['/设置 project:官网改版 dept:技术部', { name: 'setup', project: '官网改版', dept: '技术部' }],
  ['/setup 项目：“CRM 升级” 部门：销售部', { name: 'setup', project: 'CRM 升级', dept: '销售部' }],
  ['/设置 负责人:@赵六', { name: 'setup', lead: ZL }],
  [`/setup lead:${T_ZS}`, { name: 'setup', lead: ZS }],
  ['/设置 project:官网改版 dept:技术部 负责人：@赵六', { name: 'setup', project: '官网改版', dept: '技术部', lead: ZL }],
  ['/设置', { name: 'setup' }],
  ['/需求 支付升级 to:@李四 截止:12-01 负责人:@赵六', { name: 'req', title: '支付升级', to: [LS], due: DEC1_18, pri: 'medium', lead: ZL }],
  ['/req Payments to:@alice due:12-01 lead:@王五', { name: 'req', title: 'Payments', to: [ALICE], due: DEC1_18, pri: 'medium', lead: WW }],
  // /帮助 /help
  ['/帮助', { name: 'help' }],
  ['/help 需求', { name: 'help', topic: '需求' }],
  ['帮助 /req', { name: 'help', topic: 'req' }],
];

describe('parseCommand — valid commands', () => {
  it.each(OK_CASES)('%s', (text, command) => {
    expect(parseCommand(text, makeCtx())).toEqual({ ok: true, command });
  });
});

const ERROR_CASES: Array<[string, CommandName, string]> = [
  ['/req  to:@张三', 'req', '缺少需求标题'],
  ['/需求 标题 due:周五', 'req', '缺少对接人'],
  ['/需求 标题 to:', 'req', '选项 to: 后缺少内容'],
  ['/需求 标题 to:张三', 'req', 'to: 后需要 @成员'],
  ['/req 标题 to:@张三 pri:极高', 'req', '无效的优先级：极高'],
  ['/req 标题 to:@张三 due:下下下周八', 'req', '无法识别的时间：下下下周八'],
  ['/req 标题 to:@张三 due:2月30日', 'req', '无法识别的时间：2月30日'],
  ['/req 标题 to:@赵小六', 'req', '找不到用户 @赵小六'],
  // A token the platform did not list is nobody, whatever id it names.
  ['/req API to:<@feishu:ou_unknown> 截止时间：“3天后”', 'req', '找不到用户'],
  ['/req API to:<@feishu:all>', 'req', '找不到用户'],
  ['/req 标题 to:@张三 foo:bar', 'req', '未知选项 foo:'],
  ['/req 标题 to:@张三 impact:x', 'req', '此命令不支持选项 impact:'],
  ['/req 标题 to:@张三 due:周五 due:周六', 'req', '选项 due: 重复'],
  ['/req 标题 to:@张三 std:"未闭合', 'req', '引号未闭合'],
  ['/对接 #12', 'contact', '缺少对接人'],
  [`/对接 #12 @王五 方:${T_ZS}`, 'contact', '方: 要和 role:总 或 role:子 一起使用'],
  [`/对接 #12 @王五 role:子 方:${T_ZS} ${T_LS}`, 'contact', '方: 后只能 @一位'],
  ['/task 写文档 @王五 @张三', 'task', '只能有一位责任人'],
  ['/task 写文档', 'task', '缺少责任人'],
  ['/任务 #12 @王五', 'task', '缺少任务名称'],
  ['/任务 #x 写文档 @王五', 'task', '编号无效：#x'],
  ['/progress 15 150%', 'progress', '进度须在 0–100 之间：150%'],
  ['/progress 15 -5%', 'progress', '进度须在 0–100 之间'],
  ['/进度 #15 60.5%', 'progress', '进度须为整数'],
  ['/进度 #15 大半', 'progress', '无法识别的进度：大半'],
  ['/进度 #15', 'progress', '缺少进度百分比'],
  ['/progress #abc 15%', 'progress', '编号无效：#abc'],
  ['/进度 60%', 'progress', '缺少编号'], // "60%" is not an id: the id was left out
  ['/ask 什么时候交付？', 'ask', '缺少提问对象'],
  ['/ask @张三', 'ask', '缺少问题内容'],
  ['/回复 周三前提供', 'reply', '缺少编号'],
  ['/回复 #20', 'reply', '缺少答复内容'],
  ['/note 讨论 todo:写文档', 'note', '待办「写文档」缺少 @责任人'],
  ['/note 讨论 due:明天', 'note', 'due: 需写在所属的 todo: 之后'],
  ['/记录 todo:写文档 @王五', 'note', '缺少记录内容'],
  ['/问题 接口超时 @王五', 'issue', '缺少严重程度'],
  ['/问题 接口超时 sev:很严重 @王五', 'issue', '无效的严重程度：很严重'],
  ['/问题 接口超时 sev:重要', 'issue', '缺少责任人'],
  ['/解决 #21', 'resolve', '缺少处理结果'],
  ['/纪要\n- 议题', 'minutes', '缺少会议主题'],
  ['/纪要 周会\n- 联调 @王五 @张三', 'minutes', '只能有一位责任人'],
  ['/纪要 周会\n时间：下下下周八', 'minutes', '无法识别的时间：下下下周八'],
  ['/纪要 周会\n- 联调 due:周五', 'minutes', '缺少 @责任人'],
  // Exact deadlines: requests, tasks, problems, to-dos and decisions are owed by a written date,
  // and the refusal shows the forms the parser reads.
  ['/需求 标题 to:@张三', 'req', '缺少截止时间：需求必须写明截止时间：截止:<时间>（或 due:<时间>）。时间写法：2026-12-01、12-01、12月1日'],
  ['/需求 支付故障 to:@张三 紧急', 'req', '缺少截止时间：需求'],
  ['/任务 #12 写文档 @王五', 'task', '缺少截止时间：任务必须写明截止时间'],
  ['/问题 接口超时 sev:紧急 @王五', 'issue', '缺少截止时间：问题必须写明截止时间'],
  ['/记录 讨论 todo:写文档 @王五', 'note', '缺少截止时间：待办「写文档」必须写明截止时间'],
  ['/纪要 周会\n- 联调 @王五', 'minutes', '缺少截止时间：决议「联调」必须写明截止时间'],
  ['/问题 #x 接口超时 sev:一般 @王五 due:周五', 'issue', '需求编号无效：#x'],
  ['/反馈 #0 @张三 什么时候？', 'ask', '需求编号无效：#0'],
  ['/提交 #15', 'submit', '缺少交付内容'],
  ['/close', 'close', '缺少编号'],
  ['/close 12 now', 'close', '多余的内容：now'],
  ['/重开 #0', 'reopen', '编号无效：#0'],
  ['/改期 #15 reason:客户要求', 'due', '缺少新的截止时间'],
  ['/改期 #15 下周一 10点', 'due', '缺少改期原因'],
  ['/改期 #15 下下下周八 reason:x', 'due', '无法识别的时间：下下下周八'],
  ['/转交 #15', 'assign', '缺少新的责任人'],
  ['/转交 #15 @张三 @李四', 'assign', '只能转交给一位责任人'],
  ['/retro #12', 'retro', '复盘至少填写一项'],
  ['/复盘 #12 整体顺利', 'retro', '多余的内容：整体顺利'],
  ['/list foo', 'list', '未知的列表范围：foo'],
  ['/查看', 'show', '缺少编号'],
  ['/export 12 pdf', 'export', '无法识别：pdf'],
  ['/setup project:x', 'setup', '缺少部门'],
  ['/设置 dept:技术部', 'setup', '缺少项目名称'],
  ['/设置 负责人:@赵六 @王五', 'setup', '负责人只能是一位'],
  ['/设置 负责人:赵六哥', 'setup', '需要 @成员'],
  ['/设置 负责人:@赵六 部门', 'setup', '多余的内容'],
  ['/需求 支付升级 to:@李四 负责人:@赵六 @王五', 'req', '负责人只能是一位'],
];

describe('parseCommand — mistakes are answered with the reason and the usage', () => {
  it.each(ERROR_CASES)('%s', (text, command, error) => {
    const r = parseCommand(text, makeCtx());
    expect(r).toMatchObject({ ok: false, command, usage: usage(command) });
    expect(r?.ok === false && r.error).toContain(error);
  });
});

describe('parseCommand — not a command', () => {
  it.each(['', '   ', 'hello', '/hello', '/required 标题 to:@张三', '问题是什么', '请看一下需求', 'helpful tips', '/listing'])('%j → null', (text) => {
    expect(parseCommand(text, makeCtx())).toBeNull();
  });
});

describe('mentions', () => {
  it('refuses a token the platform did not list, rather than @ whoever its id names', () => {
    const r = parseCommand('/转交 #1 <@dingtalk:u9>', makeCtx([]));
    expect(r).toMatchObject({ ok: false, command: 'assign' });
    expect(r?.ok === false && r.error).toContain('找不到用户');
  });

  it('leaves no token in text for people to read, even around a real mention', () => {
    // `<` `>` typed around a mention would make `<@李四>` of the `@李四` it turns into.
    const r = parseCommand(`/需求 发布<${T_ZS}>与<<@feishu:all>> to:${T_LS} due:周五`, makeCtx());
    expect(r).toMatchObject({ ok: true, command: { name: 'req', to: [LS] } });
    const title = r?.ok ? (r.command as { title: string }).title : '';
    expect(title).toContain('张三');
    expect(title).not.toMatch(/<@/);
  });

  it('a defused token after a time goes back whole, as text', () => {
    const r = parseCommand(`/任务 写文档 ${T_ZS} due:周五<\u200b@feishu:all>`, makeCtx());
    expect(r).toMatchObject({ ok: true, command: { name: 'task', title: '写文档 <\u200b@feishu:all>', owner: ZS } });
  });

  it('does not read a defused token as an @name', () => {
    const r = parseCommand('/需求 发布<\u200b@feishu:all> to:@张三 due:周五', makeCtx());
    expect(r).toMatchObject({ ok: true, command: { name: 'req', title: '发布<\u200b@feishu:all>', to: [ZS] } });
  });

  it('does not read an e-mail address as a mention', () => {
    const r = parseCommand('/提交 #3 已发到 ops@example.com', makeCtx());
    expect(r).toEqual({ ok: true, command: { name: 'submit', id: 3, deliverable: '已发到 ops@example.com' } });
  });

  it('deduplicates a person mentioned twice', () => {
    const r = parseCommand(`/需求 标题 to:${T_ZS} @张三 due:周五`, makeCtx());
    expect(r).toMatchObject({ ok: true, command: { to: [ZS] } });
  });
});
