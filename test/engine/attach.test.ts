// Every record belongs to its request when it says so (`/问题 #N …`), and by default to the
// group's only open request, said in the reply; /查看, /归档 and /周报 include what is filed.

import { describe, expect, it } from 'vitest';
import { buildArchive } from '../../src/export/archive.ts';
import { A, B, C, CHAT, Conversation, bodyText } from './driver.ts';

const TZ = 'Asia/Shanghai';

function cards(sent: Awaited<ReturnType<Conversation['say']>>) {
  return sent.flatMap((s) => (s.msg.body.type === 'card' ? [s.msg.body.card] : []));
}

describe('records filed under a request', () => {
  it('go to the only open request by default, and the reply says so', async () => {
    const c = new Conversation();
    await c.say(A, '/需求 接口联调 协作:@李四 截止:12月18日');
    const issue = await c.say(A, '/问题 支付回调超时 sev:重要 @王五 截止:周五');
    expect(c.repo.getItem(2)!.parentId).toBe(1);
    expect(c.texts(issue)).toEqual(['问题 #2 已归入 #1「接口联调」（本群唯一进行中的需求）。']);
    expect(cards(issue)[0]!.fields).toContainEqual({ label: '所属需求', value: '#1' });
    const note = c.texts(await c.say(B, '/记录 与客户确认了验收标准'));
    expect(note[0]).toContain('已记录沟通 #3。已归入 #1「接口联调」');
    await c.say(B, '/反馈 @张三 测试账号在哪里？');
    await c.say(A, '/纪要 联调周会\n- 周五前完成联调 @李四 截止:周五');
    expect([3, 4, 5].map((id) => c.repo.getItem(id)!.parentId)).toEqual([1, 1, 1]);
    // The decision's task belongs to its minutes, which belong to the request.
    expect(c.repo.getItem(6)!.parentId).toBe(5);
  });

  it('go to the request named by #N, and nowhere (with a hint) when several are open and none is named', async () => {
    const c = new Conversation();
    await c.say(A, '/需求 接口联调 协作:@李四 截止:12月18日');
    await c.say(A, '/需求 数据看板 协作:@王五 截止:12月25日');
    const named = await c.say(A, '/问题 #2 看板白屏 sev:一般 @王五 截止:周五');
    expect(c.repo.getItem(3)!.parentId).toBe(2);
    expect(c.texts(named)).toEqual([]);
    await c.say(B, '/反馈 #1 @张三 测试账号在哪里？');
    expect(c.repo.getItem(4)!.parentId).toBe(1);
    const free = c.texts(await c.say(B, '/记录 周会改到周四'));
    expect(c.repo.getItem(5)!.parentId).toBeNull();
    expect(free[0]).toContain('未归入需求：本群有 2 个进行中的需求，如属于其中之一，请写明编号：/记录 #编号');
  });

  it('refuse a #N that is not a request of this group, and create nothing', async () => {
    const c = new Conversation();
    await c.say(A, '/需求 接口联调 协作:@李四 截止:12月18日');
    await c.say(A, '/任务 #1 写文档 @李四 截止:周五');
    const other = c.repo.insertItem({ kind: 'request', platform: 'sandbox', chatId: 'sandbox:g2', title: '别的群', state: 'active', initiatorId: A.id, createdAt: 0, updatedAt: 0 });
    const before = c.repo.listItems(CHAT).length;
    expect(c.texts(await c.say(A, '/问题 #99 超时 sev:一般 @王五 截止:周五'))[0]).toBe('❌ 找不到本群的需求 #99：记录只能归入本群的需求（发送 /列表 查看编号）。');
    expect(c.texts(await c.say(A, `/记录 #${other.id} 跨群`))[0]).toContain(`找不到本群的需求 #${other.id}`);
    expect(c.texts(await c.say(A, '/反馈 #2 @李四 文档在哪？'))[0]).toBe('❌ #2 是任务，不是需求：记录只能归入需求（发送 /列表 查看需求编号）。');
    expect(c.texts(await c.say(A, '/纪要 #2 周会'))[0]).toContain('#2 是任务，不是需求');
    expect(c.repo.listItems(CHAT).length).toBe(before);
  });

  it('are listed by /查看 of the request and included in /归档 #N', async () => {
    const c = new Conversation();
    await c.say(A, '/需求 接口联调 协作:@李四 截止:12月18日');
    await c.say(A, '/需求 数据看板 协作:@王五 截止:12月25日');
    await c.say(A, '/问题 #1 支付回调超时 sev:紧急 @王五 截止:周五');
    await c.say(B, '/反馈 #1 @张三 测试账号在哪里？');
    await c.say(B, '/记录 #1 与客户确认了验收标准');
    await c.say(A, '/纪要 #1 联调周会');
    await c.say(A, '/问题 #2 看板白屏 sev:一般 @王五 截止:周五');
    const shown = cards(await c.say(A, '/查看 #1'));
    const text = shown[0]!.markdown.join('\n');
    expect(text).toContain('**问题（1）**\n- #3 【待处理·紧急】支付回调超时 <@sandbox:c> 截止 2026-11-27 18:00 周五');
    expect(text).toContain('**反馈（1）**\n- #4 【待回复】测试账号在哪里？');
    expect(text).toContain('**会议纪要（1）**\n- #6');
    expect(text).toContain('**记录（1）**\n- #5');
    expect(text).not.toContain('看板白屏');
    // Before the history, which a clipped card loses first.
    expect(text.indexOf('**问题（1）**')).toBeLessThan(text.indexOf('**历史记录**'));

    const md = (await buildArchive(c.db, { chatId: CHAT, itemId: 1, format: 'md', timezone: TZ, now: c.clock.now() })).body.toString('utf8');
    for (const s of ['支付回调超时', '测试账号在哪里？', '与客户确认了验收标准', '联调周会']) expect(md).toContain(s);
    expect(md).not.toContain('看板白屏');
  });
});

describe('/周报 names people and dates, not counts alone', () => {
  it('lists open problems with owner, severity and age, overdue items with owner and how late, and the next deadlines', async () => {
    const c = new Conversation('2026-11-23T10:00:00+08:00');
    await c.say(A, '/需求 接口联调 协作:@李四 截止:12月18日');
    await c.say(A, '/任务 #1 写接口文档 @李四 截止:11月24日 18:00');
    await c.say(A, '/问题 #1 支付回调超时 sev:紧急 @王五 截止:12月4日');
    await c.say(A, '/问题 #1 样式错位 sev:一般 @李四 截止:12月10日');
    c.clock.set('2026-11-26T12:00:00+08:00');
    const report = cards(await c.say(A, '/周报'))[0]!;
    const md = report.markdown.join('\n');
    expect(md).toContain('**未关闭问题明细**\n- #3 【紧急】支付回调超时（#1） 责任人 <@sandbox:c>，提出至今 3 天，计划解决 2026-12-04 18:00 周五\n- #4 【一般】样式错位（#1） 责任人 <@sandbox:b>，提出至今 3 天');
    expect(md).toContain('- #2 任务「写接口文档」（#1） <@sandbox:b> 截止 2026-11-24 18:00 周二，已逾期 1 天');
    // Nothing falls due within the week: the nearest deadlines are still named.
    expect(md).toContain('**接下来的截止**\n- 2026-12-04 18:00 周五 #3 问题「支付回调超时」（#1） <@sandbox:c>\n- 2026-12-10 18:00 周四 #4');
    // A request waiting for confirmation is late on its contact, not on whoever raised it.
    expect(md).toContain('- #1 需求「接口联调」 <@sandbox:b> 响应时限 2026-11-24 18:00 周二，已逾期 1 天');
    // SLA compliance stays ahead of the lists, so a clipped card keeps it.
    expect(md.indexOf('SLA 达标')).toBeLessThan(md.indexOf('**已逾期**'));
    expect(bodyText({ type: 'card', card: report, cardKey: '' })).not.toContain('尽快');
  });
});

describe('exact deadlines', () => {
  it.each([
    ['/需求 接口联调 协作:@李四 紧急', '需求'],
    ['/任务 写文档 @李四', '任务'],
    ['/问题 支付回调超时 sev:紧急 @王五', '问题'],
  ])('%s is refused with the accepted forms, and nothing is created', async (text, what) => {
    const c = new Conversation();
    const reply = c.texts(await c.say(A, text))[0]!;
    expect(reply).toContain(`缺少截止时间：${what}必须写明截止时间：截止:<时间>（或 due:<时间>）`);
    expect(reply).toContain('时间写法：2026-12-01、12-01、12月1日、12/1 17:00、明天、后天、周五、下周一 10点、3天后、+2d、+4h');
    expect(reply).toContain('用法：');
    expect(c.repo.listItems(CHAT)).toEqual([]);
  });

  it('a missed response clock names the next reminder instead of asking for it "soon"', async () => {
    const c = new Conversation('2026-11-23T10:00:00+08:00');
    await c.say(A, '/反馈 @李四 测试账号在哪里？');
    const lines = await c.at('2026-11-24T18:05:00+08:00');
    const ping = lines.join('\n');
    expect(ping).toContain('已超过回复时限 2026-11-24 18:00 周二');
    expect(ping).toMatch(/请在 2026-11-25 09:\d\d 周三 下次提醒前回复/);
  });
});
void C;
