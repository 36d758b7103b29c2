import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Outbound } from '../../../src/domain/chat.ts';
import type { SandboxMessage } from '../../../src/platforms/sandbox/sandbox.store.ts';
import { testRuntime, type TestRuntime } from '../../helpers/runtime.ts';
import { G1, LS, SandboxChat, WW, ZS } from '../../helpers/sandbox-chat.ts';

let rt: TestRuntime | undefined;
afterEach(async () => {
  await rt?.close();
  rt = undefined;
});

async function chat(config = {}): Promise<SandboxChat> {
  rt = await testRuntime({ config });
  return new SandboxChat(rt);
}

function messageRows(r: TestRuntime): number {
  return (r.db.$client.prepare('select count(*) as n from sandbox_messages').get() as { n: number }).n;
}

describe('sandbox page and state', () => {
  it('redirects / to the page and serves the page, its script and stylesheet', async () => {
    const c = await chat();
    const root = await c.rt.app.inject({ url: '/' });
    expect(root.statusCode).toBe(302);
    expect(root.headers.location).toBe('/sandbox');
    const page = await c.rt.app.inject({ url: '/sandbox' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.body).toContain('当前身份');
    expect(page.body).toContain('输入 /帮助 查看命令');
    const js = await c.rt.app.inject({ url: '/sandbox/page.js' });
    expect(js.headers['content-type']).toContain('javascript');
    expect(js.body).toContain('EventSource');
    expect((await c.rt.app.inject({ url: '/sandbox/richtext.js' })).body).toContain('window.GFText');
    expect((await c.rt.app.inject({ url: '/sandbox/page.css' })).headers['content-type']).toContain('text/css');
  });

  it('seeds four users and the demo group, known to the engine by name', async () => {
    const c = await chat();
    const s = await c.call<{ users: { id: string; name: string }[]; chats: { id: string; name: string }[]; bot: { name: string } }>(
      'GET',
      '/sandbox/api/state',
    );
    expect(s.status).toBe(200);
    expect(s.body.users).toEqual([
      { id: ZS, name: '张三' },
      { id: LS, name: '李四' },
      { id: WW, name: '王五' },
      { id: 'sandbox:zhaoliu', name: '赵六' },
    ]);
    expect(s.body.chats).toEqual([{ id: G1, name: '【技术部】接口联调', look: null }]);
    expect(s.body.bot.name).toBe('协作助手');
    expect(c.rt.repo.findUserByName('李四', 'sandbox')).toEqual({ id: LS, name: '李四' });
  });

  it('seeds only an empty sandbox: added people survive a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gf-sandbox-'));
    try {
      const file = join(dir, 'db.sqlite');
      rt = await testRuntime({ config: { database: { file } } });
      const added = await new SandboxChat(rt).call<{ id: string }>('POST', '/sandbox/api/users', { name: 'Alice Wang' });
      expect(added).toEqual({ status: 201, body: { id: 'sandbox:alice-wang', name: 'Alice Wang' } });
      await rt.close();
      rt = await testRuntime({ config: { database: { file } } });
      const s = await new SandboxChat(rt).call<{ users: unknown[] }>('GET', '/sandbox/api/state');
      expect(s.body.users).toHaveLength(5);
      expect(rt.repo.findUserByName('Alice Wang', 'sandbox')?.id).toBe('sandbox:alice-wang');
    } finally {
      await rt?.close();
      rt = undefined;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('creates users and groups with platform-qualified ids', async () => {
    const c = await chat();
    const u = await c.call<{ id: string; name: string }>('POST', '/sandbox/api/users', { name: ' 孙七 ' });
    expect(u.status).toBe(201);
    expect(u.body.name).toBe('孙七');
    expect(u.body.id).toMatch(/^sandbox:u[0-9a-f]{6}$/);
    expect(c.rt.repo.findUserByName('孙七', 'sandbox')?.id).toBe(u.body.id);
    const g = await c.call<{ id: string; name: string }>('POST', '/sandbox/api/chats', { name: '【产品部】需求评审' });
    expect(g.status).toBe(201);
    expect(g.body.id).toMatch(/^sandbox:g[0-9a-f]{6}$/);
    const dupUser = await c.call('POST', '/sandbox/api/users', { name: '李四' });
    expect(dupUser.status).toBe(409);
    expect(dupUser.body.message).toContain('已有名为「李四」的用户');
    expect((await c.call('POST', '/sandbox/api/chats', { name: '【产品部】需求评审' })).status).toBe(409);
  });
});

describe('sandbox API validation (400 with a bilingual message, never a crash)', () => {
  const bad: Array<[string, string, unknown, number, string[]]> = [
    ['message without body', '/sandbox/api/messages', undefined, 400, ['缺少 JSON 请求体', 'missing JSON body']],
    ['message as array', '/sandbox/api/messages', [1, 2], 400, ['请求体应为 JSON 对象']],
    ['message missing fields', '/sandbox/api/messages', {}, 400, ['缺少群 / chatId is required', '缺少身份 / userId is required', '缺少消息内容 / text is required']],
    ['empty text', '/sandbox/api/messages', { chatId: G1, userId: ZS, text: '   ' }, 400, ['消息内容不能为空 / text must not be empty']],
    ['text not a string', '/sandbox/api/messages', { chatId: G1, userId: ZS, text: 42 }, 400, ['消息内容应为文本 / text must be a string']],
    ['too long', '/sandbox/api/messages', { chatId: G1, userId: ZS, text: 'x'.repeat(4001) }, 400, ['最长 4000 个字符']],
    ['unknown chat', '/sandbox/api/messages', { chatId: 'sandbox:nope', userId: ZS, text: 'hi' }, 400, ['没有这个群', 'unknown chatId']],
    ['unknown user', '/sandbox/api/messages', { chatId: G1, userId: 'sandbox:nobody', text: 'hi' }, 400, ['没有这个用户', 'unknown userId']],
    ['bad replyTo', '/sandbox/api/messages', { chatId: G1, userId: ZS, text: 'hi', replyTo: -1 }, 400, ['回复的消息应为正整数']],
    ['replyTo elsewhere', '/sandbox/api/messages', { chatId: G1, userId: ZS, text: 'hi', replyTo: 999 }, 400, ['回复的消息不在本群']],
    ['user name empty', '/sandbox/api/users', { name: '' }, 400, ['姓名不能为空 / name must not be empty']],
    ['user name with @', '/sandbox/api/users', { name: '@李四' }, 400, ['姓名不能包含 @']],
    ['chat name missing', '/sandbox/api/chats', {}, 400, ['缺少群名 / name is required']],
    ['action missing fields', '/sandbox/api/actions', { chatId: G1, userId: ZS }, 400, ['缺少卡片消息', '缺少事项 / itemId is required', '缺少操作']],
    ['action bad itemId', '/sandbox/api/actions', { chatId: G1, userId: ZS, messageId: 1, itemId: 'abc', action: 'confirm' }, 400, ['事项应为整数']],
    ['action bad form', '/sandbox/api/actions', { chatId: G1, userId: ZS, messageId: 1, itemId: 1, action: 'object', form: { reason: 5 } }, 400, ['form.reason']],
    ['action on no card', '/sandbox/api/actions', { chatId: G1, userId: ZS, messageId: 1, itemId: 1, action: 'confirm' }, 400, ['本群没有这张卡片']],
  ];

  it.each(bad)('%s', async (_name, url, payload, status, texts) => {
    const c = await chat();
    const r = await c.rt.app.inject({ method: 'POST', url, ...(payload === undefined ? {} : { payload: payload as object }) });
    expect(r.statusCode).toBe(status);
    const body = r.json() as { error: string; message: string };
    expect(body.error).toBe('bad_request');
    for (const t of texts) expect(body.message).toContain(t);
    expect(messageRows(c.rt)).toBe(0);
  });

  it('answers malformed JSON and other content types with a clear message', async () => {
    const c = await chat();
    const broken = await c.rt.app.inject({ method: 'POST', url: '/sandbox/api/messages', headers: { 'content-type': 'application/json' }, payload: '{"chatId":' });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().message).toContain('请求体不是合法的 JSON / body is not valid JSON');
    const text = await c.rt.app.inject({ method: 'POST', url: '/sandbox/api/messages', headers: { 'content-type': 'text/plain' }, payload: 'hi' });
    expect(text.statusCode).toBe(400);
    expect(text.json().message).toContain('请求体应为 JSON 对象 / body must be a JSON object');
    const form = await c.rt.app.inject({
      method: 'POST',
      url: '/sandbox/api/messages',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'text=hi',
    });
    expect(form.statusCode).toBe(415);
    expect(form.json().message).toContain('只接受 application/json');
  });

  it('validates the message list query', async () => {
    const c = await chat();
    const noChat = await c.call('GET', '/sandbox/api/messages');
    expect(noChat.status).toBe(400);
    expect(noChat.body.message).toContain('缺少群 / chatId is required');
    const badSince = await c.call('GET', `/sandbox/api/messages?chatId=${G1}&since=abc`);
    expect(badSince.status).toBe(400);
    expect(badSince.body.message).toContain('since 应为非负整数');
    const unknown = await c.call('GET', '/sandbox/api/messages?chatId=sandbox:nope');
    expect(unknown.status).toBe(404);
  });
});

describe('sandbox is loopback-only unless allowRemote', () => {
  const routes: Array<['GET' | 'POST', string, unknown?]> = [
    ['GET', '/'],
    ['GET', '/sandbox'],
    ['GET', '/sandbox/page.js'],
    ['GET', '/sandbox/api/state'],
    ['GET', `/sandbox/api/messages?chatId=${G1}`],
    ['GET', '/sandbox/api/events'],
    ['POST', '/sandbox/api/users', { name: '黑客' }],
    ['POST', '/sandbox/api/messages', { chatId: G1, userId: ZS, text: '/需求 偷偷 协作:@李四 截止:2027-03-31' }],
    ['POST', '/sandbox/api/actions', { chatId: G1, userId: ZS, messageId: 1, itemId: 1, action: 'accept' }],
  ];

  it.each(routes)('%s %s from 10.1.2.3 → 403', async (method, url, payload) => {
    const c = await chat();
    const r = await c.rt.app.inject({ method, url, remoteAddress: '10.1.2.3', ...(payload ? { payload: payload as object } : {}) });
    expect(r.statusCode).toBe(403);
    expect(r.json().message).toContain('沙盒只接受本机访问');
    expect(messageRows(c.rt)).toBe(0);
    expect(c.rt.repo.findUserByName('黑客', 'sandbox')).toBeUndefined();
  });

  it('accepts loopback peers (IPv4, IPv6, mapped) and refuses a foreign Host header', async () => {
    const c = await chat();
    for (const remoteAddress of ['127.0.0.1', '127.0.0.53', '::1', '::ffff:127.0.0.1']) {
      expect((await c.rt.app.inject({ url: '/sandbox/api/state', remoteAddress })).statusCode).toBe(200);
    }
    const rebound = await c.rt.app.inject({ url: '/sandbox/api/state', headers: { host: 'evil.example:3000' } });
    expect(rebound.statusCode).toBe(403);
  });

  it('refuses a request a local reverse proxy forwarded, even with a loopback peer and Host', async () => {
    const c = await chat();
    for (const headers of [{ 'x-forwarded-for': '203.0.113.9' }, { forwarded: 'for=203.0.113.9' }, { 'x-real-ip': '203.0.113.9' }]) {
      const r = await c.rt.app.inject({ url: '/sandbox/api/state', remoteAddress: '127.0.0.1', headers: { host: '127.0.0.1:3000', ...headers } });
      expect(r.statusCode).toBe(403);
    }
  });

  it('leaves the rest of the server alone', async () => {
    const c = await chat();
    expect((await c.rt.app.inject({ url: '/healthz', remoteAddress: '10.1.2.3' })).statusCode).toBe(200);
  });

  it('serves everyone when platforms.sandbox.allowRemote is true', async () => {
    const c = await chat({ platforms: { sandbox: { allowRemote: true } } });
    const r = await c.rt.app.inject({ url: '/sandbox/api/state', remoteAddress: '10.1.2.3', headers: { host: 'bot.example.com' } });
    expect(r.statusCode).toBe(200);
  });
});

describe('sandbox platform delivery', () => {
  const card = (tag: string): Outbound => ({
    platform: 'sandbox',
    chatId: G1,
    body: {
      type: 'card',
      cardKey: 'k1',
      update: tag !== 'v1',
      card: { header: { title: '卡片', color: 'orange', tag }, fields: [], markdown: [], buttons: [], mentions: [], summary: tag },
    },
  });

  it('stores text and cards as bot rows and updates a card in place, bumping rev', async () => {
    const c = await chat();
    const p = c.rt.platforms.get('sandbox')!;
    const t = await p.send({ platform: 'sandbox', chatId: G1, body: { type: 'text', text: '你好 <@sandbox:lisi>', mentions: [{ id: LS, name: '李四' }] } }, { idempotencyKey: 'a' });
    const first = await p.send(card('v1'), { idempotencyKey: 'b' });
    expect(Number(first.platformMessageId)).toBeGreaterThan(Number(t.platformMessageId));
    const all = await c.messages();
    expect(all.map((m) => m.senderId)).toEqual([null, null]);
    const before = all.find((m) => String(m.id) === first.platformMessageId)!;

    c.rt.clock.advance(60_000);
    const second = await p.send(card('v2'), { idempotencyKey: 'c', updateMessageId: first.platformMessageId });
    expect(second.platformMessageId).toBe(first.platformMessageId);
    const changed = await c.since(before.rev);
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatchObject({ id: before.id, createdAt: before.createdAt, updatedAt: before.createdAt + 60_000 });
    expect(changed[0]!.rev).toBeGreaterThan(before.rev);
    expect(changed[0]!.body).toMatchObject({ type: 'card', card: { header: { tag: 'v2' } } });
    expect(await c.messages()).toHaveLength(2);
  });

  it('posts an update whose original is unknown as a new card, and threads replies', async () => {
    const c = await chat();
    const p = c.rt.platforms.get('sandbox')!;
    const r = await p.send(card('v2'), { idempotencyKey: 'x', updateMessageId: '999' });
    expect(r.platformMessageId).not.toBe('999');
    const t = await p.send({ platform: 'sandbox', chatId: G1, body: { type: 'text', text: 'ok', mentions: [] }, replyTo: r.platformMessageId }, { idempotencyKey: 'y' });
    const row = (await c.messages()).find((m) => String(m.id) === t.platformMessageId) as SandboxMessage;
    expect(row.replyTo).toBe(Number(r.platformMessageId));
    await expect(p.send({ platform: 'sandbox', chatId: 'sandbox:gone', body: { type: 'text', text: 'x', mentions: [] } }, { idempotencyKey: 'z' })).rejects.toMatchObject({
      platform: 'sandbox',
      code: 'unknown_chat',
      retryable: false,
    });
  });
});

describe('sandbox live updates (SSE)', () => {
  it('streams a change hint when a message is stored, and closes with the server', async () => {
    rt = await testRuntime();
    await rt.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (rt.app.server.address() as { port: number }).port;
    const res = await fetch(`http://127.0.0.1:${port}/sandbox/api/events`);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    let got = '';
    const post = fetch(`http://127.0.0.1:${port}/sandbox/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ chatId: G1, userId: ZS, text: '大家好' }),
    });
    while (!got.includes('event: message')) got += dec.decode((await reader.read()).value);
    expect((await post).status).toBe(201);
    expect(got).toMatch(/data: \{"type":"message","chatId":"sandbox:g1","rev":\d+\}/);
    const closed = rt.close();
    while (!(await reader.read()).done) {
      /* drain until the server ends the stream */
    }
    await closed;
    rt = undefined;
  });
});
