import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  parseBotMembership,
  parseCardEvent,
  parseCreateTime,
  parseMessageEvent,
  postText,
  resolveMentions,
  toCardAction,
  toInboundMessage,
  welcomeText,
  type MapContext,
} from '../../../src/platforms/feishu/feishu.inbound.ts';
import type { MessageReceive } from '../../../src/platforms/feishu/feishu.types.ts';
import { unflatten } from '../../../src/platforms/feishu/feishu.ws.ts';

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../fixtures/feishu/${name}.json`, import.meta.url), 'utf8')) as {
    header: Record<string, string>;
    event: Record<string, unknown>;
  };

const NOW = new Date('2026-11-23T02:00:00Z');
const ctx = (over: Partial<MapContext> = {}): MapContext => ({
  botOpenId: 'ou_bot',
  nameOf: (id) => ({ 'feishu:ou_alice': '张三' })[id],
  now: NOW,
  ...over,
});

function message(name: string): MessageReceive {
  const ev = parseMessageEvent(fixture(name).event);
  if (!ev) throw new Error('fixture does not parse');
  return ev;
}

describe('im.message.receive_v1 → InboundMessage', () => {
  it('text: bot mention removed, other mentions become tokens with names, @all dropped, thread refs kept', () => {
    const r = toInboundMessage(message('message-text'), ctx());
    expect(r.kind).toBe('message');
    if (r.kind !== 'message') return;
    expect(r.msg).toEqual({
      platform: 'feishu',
      chatId: 'feishu:oc_5ce6d572455d361153b7xx51da133945',
      messageId: 'om_5ce6d572455d361153b7cb51da133945',
      sender: { id: 'feishu:ou_alice', name: '张三' },
      text: '/需求 接口联调 协作:<@feishu:ou_bob> <@feishu:ou_carol> 截止:周五',
      mentions: [
        { id: 'feishu:ou_bob', name: '李四' },
        { id: 'feishu:ou_carol', name: '王五' },
      ],
      mentionedBot: true,
      replyTo: 'om_parent',
      threadRoot: 'om_root',
      receivedAt: new Date(1763863200000),
    });
  });

  it('post: paragraphs become lines, links keep their URL, images and emoji are dropped', () => {
    const r = toInboundMessage(message('message-post'), ctx());
    if (r.kind !== 'message') throw new Error(r.kind);
    expect(r.msg.text).toBe('/提交 #1 联调报告 evidence:https://example.com/r\n抄送 <@feishu:ou_alice>');
    expect(r.msg.mentionedBot).toBe(true);
    expect(r.msg.sender).toEqual({ id: 'feishu:ou_bob', name: 'feishu:ou_bob' });
  });

  it('post content in the send shape ({zh_cn:{…}}) is read too', () => {
    expect(postText({ zh_cn: { title: 't', content: [[{ tag: 'text', text: 'a' }, { tag: 'a', text: '报告', href: 'https://x.y' }]] } })).toBe(
      'a报告 https://x.y',
    );
  });

  it('a group message that does not @ the bot is passed on with mentionedBot false', () => {
    const ev = message('message-text');
    ev.message.mentions = ev.message.mentions!.filter((m) => m.key !== '@_user_1');
    const r = toInboundMessage(ev, ctx());
    if (r.kind !== 'message') throw new Error(r.kind);
    expect(r.msg.mentionedBot).toBe(false);
    expect(r.msg.text.startsWith('@_user_1 /需求')).toBe(true);
  });

  it('without the bot open_id, a mention typed as bot counts as ours', () => {
    const r = toInboundMessage(message('message-text'), ctx({ botOpenId: undefined }));
    if (r.kind !== 'message') throw new Error(r.kind);
    expect(r.msg.mentionedBot).toBe(true);
  });

  it('a p2p message is addressed to the bot', () => {
    const ev = message('message-post');
    ev.message.chat_type = 'p2p';
    ev.message.mentions = [];
    ev.message.content = JSON.stringify({ content: [[{ tag: 'text', text: '/帮助' }]] });
    const r = toInboundMessage(ev, ctx());
    expect(r.kind === 'message' && r.msg.mentionedBot).toBe(true);
  });

  it('images and files are unsupported; addressed only when the bot was mentioned or in p2p', () => {
    const ev = message('message-text');
    ev.message.message_type = 'image';
    ev.message.content = '{"image_key":"img_v3_x"}';
    expect(toInboundMessage(ev, ctx())).toMatchObject({ kind: 'unsupported', addressed: true, messageType: 'image' });
    ev.message.mentions = [];
    expect(toInboundMessage(ev, ctx())).toMatchObject({ kind: 'unsupported', addressed: false });
  });

  it('ignores messages from apps and garbage content', () => {
    const ev = message('message-text');
    ev.sender.sender_type = 'app';
    expect(toInboundMessage(ev, ctx()).kind).toBe('ignore');
    expect(parseMessageEvent({ message: { chat_id: 1 } })).toBeUndefined();
    const bad = message('message-text');
    bad.message.content = 'not json';
    expect(toInboundMessage(bad, ctx()).kind).toBe('unsupported');
  });

  it('resolveMentions: @_user_1 never eats @_user_10, unknown keys stay', () => {
    const mentions = Array.from({ length: 10 }, (_, i) => ({ key: `@_user_${i + 1}`, id: { open_id: `ou_${i + 1}` }, name: `P${i + 1}` }));
    const r = resolveMentions('@_user_10 @_user_1 @_user_99', mentions, 'ou_bot');
    expect(r.text).toBe('<@feishu:ou_10> <@feishu:ou_1> @_user_99');
  });

  it('resolveMentions without the bot open_id: the documented payload (no mentioned_type)', () => {
    const bot = { key: '@_user_1', id: { open_id: 'ou_bot' }, name: 'Groupflow' };
    const li = { key: '@_user_2', id: { open_id: 'ou_li' }, name: '李四' };
    // The mention in front of a slash command is the bot's; mentions elsewhere are people.
    expect(resolveMentions('@_user_1 /需求 联调 协作:@_user_2', [bot, li], undefined)).toEqual({
      text: '/需求 联调 协作:<@feishu:ou_li>',
      mentions: [{ id: 'feishu:ou_li', name: '李四' }],
      mentionedBot: true,
    });
    expect(resolveMentions('@_user_1 看一下', [bot], undefined)).toMatchObject({ text: '<@feishu:ou_bot> 看一下', mentionedBot: false });
    // Once known, only the bot's own open_id counts; with mentioned_type, only "bot" counts.
    expect(resolveMentions('@_user_2 /帮助', [bot, li], 'ou_bot')).toMatchObject({ mentionedBot: false });
    expect(resolveMentions('@_user_2 /帮助', [{ ...li, mentioned_type: 'user' }], undefined)).toMatchObject({ mentionedBot: false });
  });

  it('parseCreateTime: ms and µs', () => {
    expect(parseCreateTime('1763863200000')?.toISOString()).toBe('2025-11-23T02:00:00.000Z');
    expect(parseCreateTime('1763863200000123')?.toISOString()).toBe('2025-11-23T02:00:00.000Z');
    expect(parseCreateTime('x')).toBeUndefined();
  });
});

describe('card.action.trigger → CardAction', () => {
  it('maps operator, chat, value and form_value', () => {
    const ev = parseCardEvent(fixture('card-action').event)!;
    expect(toCardAction(ev, ctx())).toEqual({
      platform: 'feishu',
      chatId: 'feishu:oc_5ce6d572455d361153b7xx51da133945',
      actor: { id: 'feishu:ou_carol', name: 'feishu:ou_carol' },
      itemId: 1,
      action: 'object',
      version: 2,
      for: 'feishu:ou_carol',
      form: { reason: '接口文档还没定稿' },
      cardMessageId: 'om_card_c',
      receivedAt: NOW,
    });
  });

  it('maps renamed inputs back and stringifies multi-values', () => {
    const ev = parseCardEvent(fixture('card-action').event)!;
    ev.action.value = { itemId: '3', action: 'reject', version: 4, f: { reason_2: 'reason' } };
    ev.action.form_value = { reason_2: '缺数据', due: '12月2日', tags: ['a', 'b'] };
    expect(toCardAction(ev, ctx())).toMatchObject({ itemId: 3, action: 'reject', form: { reason: '缺数据', due: '12月2日', tags: 'a,b' } });
  });

  it('values that are not ours give undefined', () => {
    const ev = parseCardEvent(fixture('card-action').event)!;
    for (const value of [undefined, 'x', { op: 'approve' }, { itemId: 0, action: 'confirm' }, { itemId: 1 }]) {
      expect(toCardAction({ ...ev, action: { ...ev.action, value } }, ctx())).toBeUndefined();
    }
  });
});

describe('bot added, and the long-connection shape', () => {
  it('parses the membership event and writes a welcome with /帮助', () => {
    const ev = parseBotMembership(fixture('bot-added').event)!;
    expect(ev.chat_id).toBe('oc_5ce6d572455d361153b7xx51da133945');
    const w = welcomeText('feishu:ou_alice');
    expect(w.text).toContain('/帮助');
    expect(w.text).toContain('<@feishu:ou_alice>');
  });

  it('unflatten restores the envelope from {schema, ...header, ...event}; a card keeps its c- token', () => {
    const f = fixture('card-action');
    const flat = { schema: '2.0', ...f.header, ...f.event };
    const env = unflatten(flat, 'card.action.trigger');
    expect(env.header).toMatchObject({ event_id: f.header.event_id, event_type: 'card.action.trigger', app_id: f.header.app_id });
    expect((env.event as { token: string }).token).toBe('c-295ee57216a5dc9de90fefd0aadb4b1d7d5b1d7c');
    const m = fixture('message-text');
    const env2 = unflatten({ schema: '2.0', ...m.header, ...m.event }, 'im.message.receive_v1');
    expect(env2.event).toEqual(m.event);
  });
});
