import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LS, SandboxChat, WW, ZS } from '../../helpers/sandbox-chat.ts';
import { type TestRuntime, testRuntime } from '../../helpers/runtime.ts';

let rt: TestRuntime;
let chat: SandboxChat;
beforeEach(async () => {
  rt = await testRuntime();
  chat = new SandboxChat(rt);
});
afterEach(async () => {
  await rt.close();
});

describe('two simultaneous accepts over HTTP', () => {
  it('resolve to one transition; the other click is told 已处理', async () => {
    await chat.say(ZS, '/需求 接口联调 协作:@李四 @王五 截止:周五');
    for (const who of [LS, WW]) await chat.click(who, await chat.cardFor('需求确认', who), '确认对接');
    await chat.say(LS, '/提交 #1 联调报告');
    const card = await chat.cardFor('成果验收', ZS);
    const b = card.body.card.buttons.find((x) => x.label === '验收通过')!;
    const body = { chatId: chat.chatId, userId: ZS, messageId: card.id, itemId: b.itemId, action: b.action, version: b.version, for: b.for, form: {} };
    const [x, y] = await Promise.all([
      rt.app.inject({ method: 'POST', url: '/sandbox/api/actions', payload: body }),
      rt.app.inject({ method: 'POST', url: '/sandbox/api/actions', payload: body }),
    ]);
    const answers = [x.json(), y.json()] as Array<{ ok: boolean; toast: string }>;
    expect(answers.filter((a) => a.ok)).toHaveLength(1);
    expect(answers.find((a) => !a.ok)!.toast).toContain('已处理');
    expect(chat.state(1)).toBe('accepted');
    expect(rt.repo.history(1).filter((h) => h.action === 'accept')).toHaveLength(1);
  });
});
