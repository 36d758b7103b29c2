// A realistic collaboration, inserted row by row the way the engine stores it: a request with
// contacts, tasks with progress, a question, a problem fixed and verified, minutes with a
// decision, a note with a to-do, two acceptance rounds and a retrospective.

import { openTestDatabase, type Db } from '../../src/db/connection.ts';
import { Repo } from '../../src/db/repo.ts';

export const TZ = 'Asia/Shanghai';
export const CHAT = 'feishu:oc_3f9a2b7c4d5e6f708192a3b4c5d6e7f8';
export const OTHER_CHAT = 'feishu:oc_other';

export const U = {
  zhang: 'feishu:ou_zhang', // 市场部经理, initiator
  li: 'feishu:ou_li', // 技术部总监, main contact
  wang: 'feishu:ou_wang', // 仓储部主管, main contact
  zhao: 'feishu:ou_zhao', // 前端工程师, sub-contact
  chen: 'feishu:ou_chen', // 后端工程师
} as const;

const NAMES: Record<string, string> = {
  [U.zhang]: '张伟',
  [U.li]: '李娜',
  [U.wang]: '王强',
  [U.zhao]: '赵敏',
  [U.chen]: '陈磊',
};

/** Shanghai wall time → ms. */
export function sh(local: string): number {
  return new Date(`${local}:00+08:00`).getTime();
}

/** What exceljs reads back for a date cell: the wall time as UTC fields. */
export function wall(local: string): Date {
  return new Date(`${local}:00Z`);
}

export interface Seeded {
  db: Db;
  repo: Repo;
}

export function seed(opts: { setup?: boolean } = {}): Seeded {
  const db = openTestDatabase();
  const repo = new Repo(db);
  for (const [id, name] of Object.entries(NAMES)) repo.upsertUser(id, name, 0);
  repo.ensureChat(CHAT, 'feishu', '【市场部/技术部】双十一大促协作20261102');
  if (opts.setup !== false) repo.bindChat(CHAT, '双十一大促', '市场部');

  const audit = (itemId: number, at: string, actorId: string, action: string, from: string | null, to: string | null, detail = {}) =>
    repo.addAudit({ itemId, at: sh(at), actorId, action, fromState: from, toState: to, detail });
  const base = { platform: 'feishu', chatId: CHAT } as const;

  // #1 the request
  const req = repo.insertItem({
    ...base,
    kind: 'request',
    title: '双十一大促活动页面与库存保障',
    state: 'closed',
    initiatorId: U.zhang,
    ownerId: U.zhang,
    priority: 'high',
    urgent: false,
    dueAt: sh('2026-11-10 18:00'),
    seqNo: '2026-市-001',
    data: {
      std: '活动页面 11月10日前上线，压测 5000 QPS 通过',
      background: 'Q4 目标：提升用户活跃度 20%',
      round: 2,
      deliverable: '活动页面 v2 已上线',
      evidence: 'https://wiki.example.com/release-v2',
      submittedBy: U.li,
      reviews: [
        { round: 1, result: 'reject', by: U.zhang, at: sh('2026-11-07 10:00'), reason: '移动端样式错位', newDue: sh('2026-11-09 18:00') },
        { round: 2, result: 'accept', by: U.zhang, at: sh('2026-11-09 16:00') },
      ],
      // As /retro stores it: every retrospective in `retros`, the latest also in `retro`.
      retros: [
        { good: '页面按期上线', bad: null, improve: null, by: U.li, at: sh('2026-11-12 11:00') },
        { good: '跨部门沟通效率高，问题当天闭环', bad: '需求变更未及时同步到仓储部', improve: '建立需求变更通知机制', by: U.zhang, at: sh('2026-11-13 15:00') },
      ],
      retro: { good: '跨部门沟通效率高，问题当天闭环', bad: '需求变更未及时同步到仓储部', improve: '建立需求变更通知机制', by: U.zhang, at: sh('2026-11-13 15:00') },
    },
    createdAt: sh('2026-11-02 09:30'),
    updatedAt: sh('2026-11-13 15:00'),
  });
  repo.addPerson(req.id, U.li, 'contact', sh('2026-11-02 09:30'), '负责活动页面开发整体协调');
  repo.addPerson(req.id, U.wang, 'contact', sh('2026-11-02 09:30'), '负责库存备货');
  repo.addPerson(req.id, U.zhao, 'sub', sh('2026-11-02 11:00'), '前端页面实现');
  repo.setPersonStatus(req.id, U.li, 'contact', 'confirmed', sh('2026-11-02 10:05'));
  repo.setPersonStatus(req.id, U.wang, 'contact', 'confirmed', sh('2026-11-02 14:20'));
  repo.setPersonStatus(req.id, U.zhao, 'sub', 'confirmed', sh('2026-11-02 11:30'));
  audit(req.id, '2026-11-02 09:30', U.zhang, 'create', null, 'pending');
  audit(req.id, '2026-11-02 10:00', U.li, 'confirm', 'pending', 'pending');
  audit(req.id, '2026-11-02 14:15', U.wang, 'confirm', 'pending', 'active');
  audit(req.id, '2026-11-06 17:00', U.li, 'submit', 'active', 'review', { text: '活动页面 v1', evidence: 'https://wiki.example.com/release-v1' });
  audit(req.id, '2026-11-07 10:00', U.zhang, 'reject', 'review', 'rework', { reason: '移动端样式错位' });
  audit(req.id, '2026-11-08 20:00', U.li, 'submit', 'rework', 'review', { text: '活动页面 v2 已上线', evidence: 'https://wiki.example.com/release-v2' });
  audit(req.id, '2026-11-09 16:00', U.zhang, 'accept', 'review', 'accepted');
  audit(req.id, '2026-11-12 10:00', U.zhang, 'close', 'accepted', 'closed');

  // #2 a task, done, with two progress updates and one acceptance
  const t1 = repo.insertItem({
    ...base,
    kind: 'task',
    title: '活动页面前端开发',
    state: 'done',
    initiatorId: U.zhang,
    ownerId: U.zhao,
    dueAt: sh('2026-11-08 18:00'),
    parentId: req.id,
    data: { std: '兼容 iOS/Android 主流机型', pct: 100, source: 'task', round: 1, deliverable: '前端代码已合并', reviews: [{ round: 1, result: 'accept', by: U.zhang, at: sh('2026-11-08 11:00') }] },
    createdAt: sh('2026-11-02 15:00'),
    updatedAt: sh('2026-11-08 11:00'),
  });
  repo.addPerson(t1.id, U.zhao, 'owner', sh('2026-11-02 15:00'), undefined, 'confirmed');
  repo.addPerson(t1.id, U.zhang, 'reviewer', sh('2026-11-02 15:00'), undefined, 'confirmed');
  repo.addPerson(t1.id, U.chen, 'helper', sh('2026-11-02 15:00'), undefined, 'confirmed');
  audit(t1.id, '2026-11-02 15:00', U.zhang, 'create', null, 'todo');
  audit(t1.id, '2026-11-04 16:30', U.zhao, 'progress', 'todo', 'doing', { pct: 40, text: '首页与会场页完成' });
  audit(t1.id, '2026-11-06 16:50', U.zhao, 'progress', 'doing', 'doing', { pct: 80, risk: '接口联调延迟', plan: '后端加派一人支援' });
  audit(t1.id, '2026-11-07 18:00', U.zhao, 'submit', 'doing', 'review', { text: '前端代码已合并', evidence: 'https://git.example.com/mr/42' });
  audit(t1.id, '2026-11-08 11:00', U.zhang, 'accept', 'review', 'done');

  // #3 a task in progress
  const t2 = repo.insertItem({
    ...base,
    kind: 'task',
    title: '大促商品备货',
    state: 'doing',
    initiatorId: U.zhang,
    ownerId: U.wang,
    dueAt: sh('2026-11-01 18:00'),
    parentId: req.id,
    data: { std: '库存满足预测销量 120%', pct: 60, source: 'task' },
    createdAt: sh('2026-11-02 15:10'),
    updatedAt: sh('2026-11-05 16:00'),
  });
  repo.addPerson(t2.id, U.wang, 'owner', sh('2026-11-02 15:10'), undefined, 'confirmed');
  audit(t2.id, '2026-11-05 16:00', U.wang, 'progress', 'todo', 'doing', { pct: 60, text: '首批到货' });

  // #4 an urgent question, answered
  const ask = repo.insertItem({
    ...base,
    kind: 'ask',
    title: '优惠券规则是否按满300减50？',
    state: 'answered',
    initiatorId: U.zhao,
    urgent: true,
    clockAt: sh('2026-11-03 12:00'),
    parentId: req.id,
    data: { question: '优惠券规则是否按满300减50？', answer: '是，每人限领1张', answeredBy: U.li, answeredAt: sh('2026-11-03 10:40') },
    createdAt: sh('2026-11-03 10:00'),
    updatedAt: sh('2026-11-03 10:40'),
  });
  repo.addPerson(ask.id, U.li, 'asked', sh('2026-11-03 10:00'));
  repo.setPersonStatus(ask.id, U.li, 'asked', 'answered', sh('2026-11-03 10:40'));

  // #5 a problem, resolved and verified
  const issue = repo.insertItem({
    ...base,
    kind: 'issue',
    title: '支付回调偶发超时',
    state: 'closed',
    initiatorId: U.zhang,
    ownerId: U.chen,
    priority: 'high',
    dueAt: sh('2026-11-06 18:00'),
    parentId: req.id,
    data: {
      text: '支付回调偶发超时，订单状态不同步',
      severity: 'major',
      impact: '约 2% 订单支付状态延迟',
      result: '回调改为异步重试，超时率降至 0.01%',
      evidence: 'https://wiki.example.com/test-report',
      resolvedAt: sh('2026-11-05 20:00'),
    },
    createdAt: sh('2026-11-04 09:00'),
    updatedAt: sh('2026-11-06 09:30'),
  });
  repo.addPerson(issue.id, U.chen, 'owner', sh('2026-11-04 09:00'), undefined, 'confirmed');
  audit(issue.id, '2026-11-04 09:00', U.zhang, 'create', null, 'open');
  audit(issue.id, '2026-11-05 20:00', U.chen, 'resolve', 'working', 'verify', { text: '回调改为异步重试' });
  audit(issue.id, '2026-11-06 09:30', U.zhang, 'verify', 'verify', 'closed');

  // #6 minutes with one decision → #7 its task
  const minutes = repo.insertItem({
    ...base,
    kind: 'minutes',
    title: '大促项目协调会',
    state: 'pending',
    initiatorId: U.zhang,
    parentId: req.id,
    data: { time: sh('2026-11-03 14:00'), place: '3楼会议室', agenda: ['研发进度', '库存准备'], decisions: [] },
    createdAt: sh('2026-11-03 16:00'),
    updatedAt: sh('2026-11-03 16:00'),
  });
  const decisionTask = repo.insertItem({
    ...base,
    kind: 'task',
    title: '完成活动页面压测',
    state: 'todo',
    initiatorId: U.zhang,
    ownerId: U.chen,
    dueAt: sh('2026-11-05 18:00'),
    parentId: minutes.id,
    data: { std: null, pct: 0, source: 'decision' },
    createdAt: sh('2026-11-03 16:00'),
    updatedAt: sh('2026-11-03 16:00'),
  });
  repo.updateItem(
    minutes.id,
    minutes.version,
    { data: { ...minutes.data, decisions: [{ text: '11月5日前完成压测', owner: U.chen, due: sh('2026-11-05 18:00'), taskId: decisionTask.id }] } },
    sh('2026-11-03 16:00'),
  );
  for (const u of [U.li, U.wang, U.chen]) repo.addPerson(minutes.id, u, 'attendee', sh('2026-11-03 16:00'));
  repo.setPersonStatus(minutes.id, U.li, 'attendee', 'confirmed', sh('2026-11-03 17:00'));
  repo.setPersonStatus(minutes.id, U.wang, 'attendee', 'confirmed', sh('2026-11-03 18:00'));

  // #8 a communication note with one to-do → #9
  const note = repo.insertItem({
    ...base,
    kind: 'note',
    title: '与 <@feishu:ou_li> 确认接口字段',
    state: 'logged',
    initiatorId: U.zhang,
    parentId: req.id,
    data: { text: '与 <@feishu:ou_li> 确认接口字段，需补充库存同步接口', urgent: false, participants: [U.zhang, U.li], todos: [] },
    createdAt: sh('2026-11-04 11:00'),
    updatedAt: sh('2026-11-04 11:00'),
  });
  const todo = repo.insertItem({
    ...base,
    kind: 'task',
    title: '补充库存同步接口文档',
    state: 'todo',
    initiatorId: U.zhang,
    ownerId: U.li,
    dueAt: sh('2026-11-05 18:00'),
    parentId: note.id,
    data: { std: null, pct: 0, source: 'todo' },
    createdAt: sh('2026-11-04 11:00'),
    updatedAt: sh('2026-11-04 11:00'),
  });
  repo.updateItem(note.id, note.version, { data: { ...note.data, todos: [todo.id] } }, sh('2026-11-04 11:00'));

  // #10 another request of the same chat (outside #1's archive); its title has a pipe and a formula
  repo.insertItem({
    ...base,
    kind: 'request',
    title: '=客服话术|培训',
    state: 'pending',
    initiatorId: U.wang,
    priority: 'low',
    data: { background: '第一行\n第二行, 含逗号和"引号"' },
    createdAt: sh('2026-11-10 09:00'),
    updatedAt: sh('2026-11-10 09:00'),
  });

  // #11 an item of another chat, never exported with this one
  repo.ensureChat(OTHER_CHAT, 'feishu', '别的群');
  repo.insertItem({ platform: 'feishu', chatId: OTHER_CHAT, kind: 'request', title: '别的群的需求', state: 'pending', initiatorId: U.li, createdAt: sh('2026-11-01 09:00'), updatedAt: sh('2026-11-01 09:00') });

  return { db, repo };
}
