// Payload decode against fixtures, and neutral → DingTalk rendering.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Card } from '../../../src/domain/card.ts';
import {
  decodeCardCallback,
  decodeRobotMessage,
  pairMentions,
  parseCardCallback,
  parseRobotMessage,
} from '../../../src/platforms/dingtalk/dingtalk.inbound.ts';
import { cardAsMarkdown, noticeCard, renderCard, renderText } from '../../../src/platforms/dingtalk/dingtalk.render.ts';
import { clipBytes as clip } from '../../../src/platforms/fit.ts';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../fixtures/dingtalk/${name}`, import.meta.url), 'utf8')) as unknown;
const now = new Date('2026-11-23T02:00:00Z');

describe('robot message → InboundMessage', () => {
  it('decodes a group text message with @-ed users into mention tokens', () => {
    const m = parseRobotMessage(fixture('robot-text.json'))!;
    const d = decodeRobotMessage(m, { receivedAt: now });
    expect(d).toMatchObject({
      ok: true,
      message: {
        platform: 'dingtalk',
        chatId: 'dingtalk:cidXyz==',
        chatName: '【技术部】接口联调 11月',
        messageId: 'msgAbc==',
        sender: { id: 'dingtalk:u_a', name: '张三' },
        text: '/需求 接口联调 协作:<@dingtalk:u_b> <@dingtalk:u_c> 截止:周五 优先级:高 标准:联调通过',
        mentions: [
          { id: 'dingtalk:u_b', name: '李四' },
          { id: 'dingtalk:u_c', name: '王五' },
        ],
        mentionedBot: true,
        receivedAt: now,
      },
      webhook: { url: 'https://oapi.dingtalk.com/robot/sendBySession?session=s1', expiresAt: 1700005400000 },
    });
  });

  it('decodes richText by joining its text parts (pictures skipped)', () => {
    const d = decodeRobotMessage(parseRobotMessage(fixture('robot-richtext.json'))!, { receivedAt: now });
    expect(d.ok && d.message.text).toBe('/提交 #1 联调报告 evidence:https://example.com/r');
    expect(d.ok && d.message.mentions).toEqual([]);
  });

  it('pairs @Nick with atUsers by known names first, then in order', () => {
    const known = (n: string) => ({ 王五: 'dingtalk:u_c' })[n];
    // The text names 王五 first but DingTalk lists u_b first: the known name wins.
    const r = pairMentions('@王五 和 @李四 看一下', ['dingtalk:u_b', 'dingtalk:u_c'], known);
    expect(r.text).toBe('<@dingtalk:u_c> 和 <@dingtalk:u_b> 看一下');
    expect(r.mentions).toEqual([
      { id: 'dingtalk:u_b', name: '李四' },
      { id: 'dingtalk:u_c', name: '王五' },
    ]);
    // E-mail addresses are not mentions; U+2005 around mentions is handled by the decoder.
    expect(pairMentions('mail a@b.com @李四', ['dingtalk:u_b']).text).toBe('mail a@b.com <@dingtalk:u_b>');
    // More @-ed users than @ texts: all are mentions, the unpaired keep their id as name.
    expect(pairMentions('hi', ['dingtalk:u_b']).mentions).toEqual([{ id: 'dingtalk:u_b', name: 'dingtalk:u_b' }]);
  });

  it('normalizes the special spaces clients put around mentions, and trims', () => {
    const m = { ...(fixture('robot-text.json') as object), text: { content: '\u2005/需求 x 协作:@李四\u2005@王五\u2005截止:周五 ' } };
    const d = decodeRobotMessage(parseRobotMessage(m)!, { receivedAt: now });
    expect(d.ok && d.message.text).toBe('/需求 x 协作:<@dingtalk:u_b> <@dingtalk:u_c> 截止:周五');
  });

  it('falls back to the encrypted ids when staffId is missing (app not published, external users)', () => {
    const base = fixture('robot-text.json') as Record<string, unknown>;
    const m = { ...base, senderStaffId: '', atUsers: [{ dingtalkId: '$:LWCP_v1:$bot==' }, { dingtalkId: '$:LWCP_v1:$b==' }], text: { content: ' @李四 看' } };
    const d = decodeRobotMessage(parseRobotMessage(m)!, { receivedAt: now });
    expect(d.ok && d.message.sender.id).toBe('dingtalk:$:LWCP_v1:$senderA==');
    expect(d.ok && d.message.text).toBe('<@dingtalk:$:LWCP_v1:$b==> 看');
  });

  it('ignores 1:1 chats and unsupported types; rejects non-messages', () => {
    const base = fixture('robot-text.json') as Record<string, unknown>;
    expect(decodeRobotMessage(parseRobotMessage({ ...base, conversationType: '1' })!, { receivedAt: now })).toEqual({ ok: false, reason: 'not_group' });
    expect(decodeRobotMessage(parseRobotMessage({ ...base, msgtype: 'picture' })!, { receivedAt: now })).toEqual({ ok: false, reason: 'unsupported_type' });
    // Quota exhausted: no text, an errorMessage instead.
    expect(decodeRobotMessage(parseRobotMessage({ ...base, text: undefined, errorMessage: { code: 20001 } })!, { receivedAt: now })).toMatchObject({ ok: false });
    for (const bad of [null, [], 'x', { msgtype: 'text' }, { ...base, msgId: '' }, { ...base, atUsers: 'x' }]) expect(parseRobotMessage(bad)).toBeUndefined();
  });
});

describe('card callback → CardAction', () => {
  it('decodes the button params and the form', () => {
    const cb = parseCardCallback(fixture('card-callback.json'))!;
    expect(decodeCardCallback(cb, { chatId: 'dingtalk:cidXyz==', itemId: 1, receivedAt: now })).toEqual({
      platform: 'dingtalk',
      chatId: 'dingtalk:cidXyz==',
      actor: { id: 'dingtalk:u_c', name: 'dingtalk:u_c' },
      itemId: 1,
      action: 'object',
      version: 3,
      for: 'dingtalk:u_c',
      form: { reason: '接口文档还没定稿' },
      cardMessageId: 'gf-2',
      receivedAt: now,
    });
  });

  it('refuses params naming another item than the card belongs to; tolerates missing ones', () => {
    const cb = parseCardCallback(fixture('card-callback.json'))!;
    expect(decodeCardCallback(cb, { chatId: 'c', itemId: 2, receivedAt: now })).toBeUndefined();
    const bare = { ...cb, content: JSON.stringify({ cardPrivateData: { actionIds: ['confirm'], params: { reason: 'x', sel: 1 } } }) };
    expect(decodeCardCallback(bare, { chatId: 'c', itemId: 7, receivedAt: now })).toMatchObject({ itemId: 7, action: 'confirm', form: { reason: 'x' } });
    expect(decodeCardCallback({ ...cb, content: 'not json' }, { chatId: 'c', itemId: 1, receivedAt: now })).toBeUndefined();
    expect(decodeCardCallback({ ...cb, content: 'null' }, { chatId: 'c', receivedAt: now })).toBeUndefined();
    expect(parseCardCallback({ outTrackId: 'o', userId: 'u' })).toBeUndefined();
  });
});

const card: Card = {
  header: { title: '【需求确认】#1 接口联调', color: 'orange', tag: '待确认' },
  fields: [
    { label: '发起人', value: '<@dingtalk:u_a>' },
    { label: '对接人', value: '<@dingtalk:u_b>' },
  ],
  markdown: ['请 <@dingtalk:u_b> 确认'],
  buttons: [
    { label: '确认对接', style: 'primary', action: 'confirm', itemId: 1, version: 2, for: 'dingtalk:u_b' },
    {
      label: '提出异议',
      style: 'danger',
      action: 'object',
      itemId: 1,
      version: 2,
      for: 'dingtalk:u_b',
      inputs: [{ name: 'reason', label: '原因', placeholder: '请填写', required: true }],
    },
  ],
  mentions: [
    { id: 'dingtalk:u_a', name: '张三' },
    { id: 'dingtalk:u_b', name: '李四' },
  ],
  summary: '需求 #1 接口联调 待确认',
};

describe('rendering', () => {
  it('text: real @ for the session webhook, plain names for the OpenAPI', () => {
    const r = renderText({ type: 'text', text: '请 <@dingtalk:u_b> 和 <@sandbox:x> 处理', mentions: [{ id: 'dingtalk:u_b', name: '李四' }] }, true);
    expect(r.webhook).toEqual({ msgtype: 'text', text: { content: '【紧急】请 @u_b 和 @x 处理' }, at: { atUserIds: ['u_b'], isAtAll: false } });
    expect(r.plain).toBe('【紧急】请 @李四 和 @x 处理');
    expect(r.at).toEqual({ u_b: '李四' });
  });

  it('never @s all, nor an id that could leave a tag, even from a token that reached a renderer', () => {
    const mentions = [
      { id: 'dingtalk:all', name: 'all' },
      { id: 'dingtalk:@ALL', name: '@ALL' },
      { id: "dingtalk:x'onclick=y", name: 'x' },
    ];
    const t = renderText({ type: 'text', text: "<@dingtalk:all> <@dingtalk:@ALL> <@dingtalk:x'onclick=y>", mentions });
    expect(t.webhook.at).toEqual({ atUserIds: [], isAtAll: false });
    const c = renderCard({ ...card, markdown: ['<@dingtalk:all> <@dingtalk:@ALL>'], mentions });
    expect(c.cardAtUserIds).toEqual([]);
    expect(c.params.body).not.toMatch(/<a atId/);
    expect(c.params.body).not.toMatch(/@all\b/i);
  });

  it('card markdown: typed <a atId>, <font>, links and @all are text, nicknames too', () => {
    const typed = '<a atId=u_c>王五</a><font color=red>红</font>[x](javascript:alert(1))[y]: https://e.x @all';
    const c = renderCard({ ...card, markdown: [`${typed} <@dingtalk:u_b>`], mentions: [{ id: 'dingtalk:u_b', name: '<font>李四' }] });
    expect(c.params.body).not.toMatch(/<a atId=u_c|<font|\]\(|\]:|@all/);
    expect(c.params.body).toMatch(/<a atId=u_b><\u200bfont>李四<\/a>/);
    expect(c.params.body!.replace(/\u200b/g, '')).toContain(typed);
    const m = cardAsMarkdown({ ...card, header: { ...card.header, title: typed }, markdown: [typed] });
    expect(m.text).not.toMatch(/<a atId|<font|\]\(|\]:|@all/);
  });

  it('card: string-only params for the template, <a atId> mentions, the button owner notified', () => {
    const r = renderCard(card);
    expect(Object.values(r.params).every((v) => typeof v === 'string')).toBe(true);
    expect(r.params).toMatchObject({
      title: '【需求确认】#1 接口联调',
      color: 'orange',
      tag: '待确认',
      fields: '**发起人**：<a atId=u_a>张三</a>\n**对接人**：<a atId=u_b>李四</a>',
      body: '请 <a atId=u_b>李四</a> 确认',
      lastMessage: '需求 #1 接口联调 待确认',
      btn1_visible: 'true',
      btn1_action: 'confirm',
      btn1_item: '1',
      btn1_version: '2',
      btn1_for: 'dingtalk:u_b',
      btn2_visible: 'false',
      btn3_visible: 'false',
      form_visible: 'true',
      form_text: '提出异议',
      form_action: 'object',
      form_style: 'danger',
      notice: '',
    });
    expect(JSON.parse(r.params.form_fields!)).toEqual({ fields: [{ name: 'reason', label: '原因', type: 'TEXT', required: true, placeholder: '请填写' }] });
    expect(r.notify).toEqual({ u_b: '李四' });
    expect(r.cardAtUserIds).toEqual(['u_a', 'u_b']);
    expect(renderCard(card, true).params.title).toBe('【紧急】【需求确认】#1 接口联调');
  });

  it('notice card for a reminder that must @; markdown fallback without a template', () => {
    const n = noticeCard({ type: 'text', text: '<@dingtalk:u_b> 需求 #1 明天到期', mentions: [{ id: 'dingtalk:u_b', name: '李四' }] });
    expect(n.notify).toEqual({ u_b: '李四' });
    expect(n.params.body).toBe('<a atId=u_b>李四</a> 需求 #1 明天到期');
    expect(n.params.btn1_visible).toBe('false');
    const md = cardAsMarkdown(card);
    expect(md.title).toBe('【需求确认】#1 接口联调');
    expect(md.text).toContain('- **对接人**：@李四');
  });

  it('clips long values on a character boundary', () => {
    const s = '汉'.repeat(2000);
    const c = clip(s, 4000);
    expect(Buffer.byteLength(c)).toBeLessThanOrEqual(4000);
    expect(c.endsWith('…')).toBe(true);
    expect(clip('short', 10)).toBe('short');
  });
});
