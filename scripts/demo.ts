// `npm run demo`: fills the sandbox with a realistic project through the sandbox's own API (the
// same calls the page makes) — a bound group, a request with tasks, questions, a problem,
// minutes, an acceptance, and one request of each other collaboration type at a different
// stage — then serves it, so a newcomer sees every kind of card at once.
// Uses its own database file (./data/demo.db unless GROUPFLOW_DB_FILE says otherwise).

import { pathToFileURL } from 'node:url';
import { loadConfig } from '../src/config/load.ts';
import { createRuntime, type Runtime } from '../src/runtime.ts';

const CHAT = 'sandbox:g1';
const U = { zhang: 'sandbox:zhangsan', li: 'sandbox:lisi', wang: 'sandbox:wangwu', zhao: 'sandbox:zhaoliu' };

interface Msg {
  id: number;
  senderId: string | null;
  body: { type: string; card?: { header: { title: string }; buttons: Array<{ label: string; action: string; itemId: number; version: number; for?: string }> } };
}

async function api(rt: Runtime, method: 'GET' | 'POST', url: string, payload?: unknown): Promise<unknown> {
  const res = await rt.app.inject({ method, url, payload: payload as Record<string, unknown> });
  if (res.statusCode >= 400) throw new Error(`${method} ${url} → ${res.statusCode} ${res.body}`);
  return res.json();
}

async function say(rt: Runtime, userId: string, text: string, chatId = CHAT): Promise<void> {
  await api(rt, 'POST', '/sandbox/api/messages', { chatId, userId, text });
  await rt.dispatcher.drain();
}

/** Clicks the button labelled `label` on the newest bot card whose title contains `title`. */
async function click(rt: Runtime, userId: string, title: string, label: string, form: Record<string, string> = {}, chatId = CHAT): Promise<void> {
  const { messages } = (await api(rt, 'GET', `/sandbox/api/messages?chatId=${encodeURIComponent(chatId)}`)) as { messages: Msg[] };
  const card = [...messages].reverse().find((m) => m.body.type === 'card' && m.body.card!.header.title.includes(title) && m.body.card!.buttons.some((b) => b.label === label && (!b.for || b.for === userId)));
  const b = card?.body.card!.buttons.find((x) => x.label === label && (!x.for || x.for === userId));
  if (!card || !b) throw new Error(`no card "${title}" with button "${label}" for ${userId}`);
  await api(rt, 'POST', '/sandbox/api/actions', { chatId, userId, messageId: card.id, itemId: b.itemId, action: b.action, version: b.version, for: b.for, form });
  await rt.dispatcher.drain();
}

/** The id of the newest request (the one just raised). */
function lastRequest(rt: Runtime): number {
  return rt.db.$client.prepare(`select max(id) from items where kind = 'request'`).pluck().get() as number;
}

/** One request of each type beyond 跨部门, each left at a different stage. */
async function typedRequests(rt: Runtime): Promise<void> {
  await say(rt, U.zhang, '/需求 智能办公系统数据看板 协作:@李四 类型:客户 客户:A科技公司 截止:+14d');
  const customer = lastRequest(rt);
  await say(rt, U.zhang, `/对接 #${customer} @王五 role:客户对接人 外部:A科技公司刘总`);
  await say(rt, U.zhang, `/对接 #${customer} @赵六 role:法务`);
  await say(rt, U.zhang, `/完成 #${customer} 客户名称：A科技公司；核心诉求：定制数据看板；预算范围：20万；期望交付时间：12月20日`);
  await click(rt, U.wang, '阶段签核', '签核通过');
  await say(rt, U.li, `/完成 #${customer} 需求评审 可执行 现有组件可复用，两周交付`);
  await click(rt, U.zhang, '阶段签核', '签核通过'); // now at 方案确认

  await say(rt, U.zhang, '/需求 测试服务器采购 协作:@王五 类型:供应商 供应商:B制造 截止:下周五');
  const supplier = lastRequest(rt);
  await say(rt, U.zhang, `/对接 #${supplier} @张三 role:采购`);
  await say(rt, U.zhang, `/对接 #${supplier} @赵六 role:供应商对接人`);
  await say(rt, U.zhang, `/对接 #${supplier} @李四 role:质量`);
  await say(rt, U.zhang, `/完成 #${supplier} 合作范围：2U 服务器 20 台；资质要求：ISO9001；交付标准：72 小时压测`); // waits for 赵六's sign-off

  await say(rt, U.zhang, '/需求 行业联合白皮书 协作:@李四 类型:合作伙伴 合作方:C协会 截止:+30d');
  await say(rt, U.zhang, `/对接 #${lastRequest(rt)} @赵六 role:合作方对接人`); // at 联合立项

  await say(rt, U.zhang, '/需求 支付通道故障 协作:@王五 类型:紧急 截止:+4h');
  const emergency = lastRequest(rt);
  await say(rt, U.zhang, `/对接 #${emergency} @李四 role:负责人`);
  await say(rt, U.zhang, `/完成 #${emergency} 事项描述：支付回调全部超时；影响范围：全部下单；发现时间：10:05`);
  await click(rt, U.li, '阶段签核', '签核通过'); // now at 处置
}

/**
 * An internal group (drawn as Feishu) linked with the supplier's group (drawn as DingTalk): the
 * supplier's contact confirms there, an internal note stays inside. Returns the two group ids.
 */
async function linkedGroups(rt: Runtime): Promise<{ internal: string; external: string }> {
  const internal = ((await api(rt, 'POST', '/sandbox/api/chats', { name: '【采购部】芯片备货', look: 'feishu' })) as { id: string }).id;
  const external = ((await api(rt, 'POST', '/sandbox/api/chats', { name: 'B电子 × 我司 备货群', look: 'dingtalk' })) as { id: string }).id;
  const chen = ((await api(rt, 'POST', '/sandbox/api/users', { name: '陈经理' })) as { id: string }).id;
  await say(rt, U.zhang, '/关联', internal);
  const { messages } = (await api(rt, 'GET', `/sandbox/api/messages?chatId=${encodeURIComponent(internal)}`)) as { messages: Array<{ body: { type: string; text?: string } }> };
  const code = messages.map((m) => /关联码：([0-9A-Z]{6})/.exec(m.body.text ?? '')?.[1]).find(Boolean);
  if (!code) throw new Error('no link code');
  await say(rt, chen, `/关联 ${code} 外部`, external);
  await say(rt, U.zhang, '/需求 芯片备货 to:@陈经理 截止:+10d 类型:供应商 供应商:B电子', internal);
  await click(rt, chen, '需求确认', '确认对接', {}, external);
  await say(rt, U.zhang, `/记录 #${lastRequest(rt)} 内部 报价留余地，底价不对外`, internal);
  await say(rt, chen, `/反馈 #${lastRequest(rt)} @张三 交期能否提前到下周三？`, external);
  return { internal, external };
}

/** Fills an empty sandbox with the demo project; returns the linked groups for the side-by-side link. */
export async function seedDemo(rt: Runtime): Promise<{ internal: string; external: string }> {
  await say(rt, U.zhang, '/设置 project:官网改版 dept:技术部');
  await say(rt, U.zhang, '/需求 官网改版接口联调 协作:@李四 @王五 截止:下周五 优先级:高 标准:联调通过并出测试报告');
  await click(rt, U.li, '需求确认', '确认对接');
  await click(rt, U.wang, '需求确认', '提出异议', { reason: '接口文档还没定稿，先对齐字段' });
  await click(rt, U.wang, '需求确认', '确认对接');
  await say(rt, U.zhang, '/任务 #1 登录接口联调 @李四 with:@赵六 截止:周五 标准:联调用例全部通过');
  await say(rt, U.zhang, '/任务 #1 支付回调压测 @王五 截止:下周二');
  await say(rt, U.li, '/进度 #2 60% risk:第三方短信接口不稳定 plan:先用模拟网关联调');
  await say(rt, U.li, '/反馈 @张三 测试环境的支付商户号能否今天给到？ 紧急');
  await say(rt, U.wang, '/反馈 @李四 登录接口的错误码表在哪里？');
  await say(rt, U.li, '/回复 #5 在 wiki 的「接口规范」页');
  await say(rt, U.zhang, '/问题 支付回调偶发超时 sev:重要 @王五 due:后天 impact:影响验收');
  await say(rt, U.wang, '/解决 #6 回调队列扩容并加重试 evidence:https://example.com/perf-report');
  await say(
    rt,
    U.zhang,
    '/纪要 接口联调周会\n地点：3楼会议室\n参会：@李四 @王五 @赵六\n- 回顾上周进度\n- 登录接口周五前联调完成 @李四 截止:周五\n- 补充压测报告 @王五 截止:下周二',
  );
  await click(rt, U.li, '会议纪要', '确认纪要');
  await say(rt, U.zhang, '/记录 与客户确认了验收标准 todo:整理验收清单 @赵六 due:明天');
  await say(rt, U.li, '/提交 #1 联调报告 evidence:https://example.com/report');
  await typedRequests(rt);
  await say(rt, U.zhang, '/周报');
  return linkedGroups(rt);
}

async function main(): Promise<void> {
  process.env.GROUPFLOW_DB_FILE ??= './data/demo.db';
  const config = loadConfig();
  const rt = await createRuntime(config);
  const seeded = (rt.db.$client.prepare(`select count(*) as n from items`).get() as { n: number }).n > 0;
  const linked = seeded ? undefined : await seedDemo(rt);
  rt.dispatcher.start();
  rt.scheduler.start();
  const address = await rt.app.listen({ host: config.server.host, port: config.server.port });
  const base = address.replace('0.0.0.0', '127.0.0.1');
  const split = linked ? `\n  关联群并排 / linked groups side by side:  ${base}/sandbox/split?chats=${encodeURIComponent(linked.internal)},${encodeURIComponent(linked.external)}` : '';
  console.log(`\n  协作助手 Groupflow 演示已就绪 / demo ready:  ${base}/sandbox${split}\n  (database: ${config.database.file})\n`);
  const stop = () => void rt.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

// Run as `npm run demo`; imported (by its test), it only exports seedDemo.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
