import { describe, expect, it } from 'vitest';
import { mapMentions, toInboundMessage } from '../../../src/platforms/sandbox/sandbox.inbound.ts';

const users = [
  { id: 'sandbox:zhangsan', name: '张三' },
  { id: 'sandbox:lisi', name: '李四' },
  { id: 'sandbox:lisisi', name: '李四四' },
  { id: 'sandbox:bob', name: 'Bob' },
];

describe('sandbox text → mentions', () => {
  it.each([
    ['/需求 接口联调 协作:@李四 @张三 截止:周五', '/需求 接口联调 协作:<@sandbox:lisi> <@sandbox:zhangsan> 截止:周五', ['sandbox:lisi', 'sandbox:zhangsan'], false],
    ['@协作助手 /帮助', '/帮助', [], true],
    ['@Groupflow /help', '/help', [], true],
    ['@bot /help', '/help', [], true],
    ['@BOT　/帮助', '/帮助', [], true],
    ['协作:@李四@张三，截止:周五', '协作:<@sandbox:lisi><@sandbox:zhangsan>，截止:周五', ['sandbox:lisi', 'sandbox:zhangsan'], false],
    ['@李四四 你好', '<@sandbox:lisisi> 你好', ['sandbox:lisisi'], false],
    ['@Bobby hi @bob', '@Bobby hi <@sandbox:bob>', ['sandbox:bob'], false],
    ['@botany', '@botany', [], false],
    ['@陌生人 你好', '@陌生人 你好', [], false],
    ['邮件 a@b.com', '邮件 a@b.com', [], false],
    ['@李四 @李四 重复', '<@sandbox:lisi> <@sandbox:lisi> 重复', ['sandbox:lisi'], false],
  ])('%s', (raw, text, ids, bot) => {
    const m = mapMentions(raw, users);
    expect(m.text).toBe(text);
    expect(m.mentions.map((u) => u.id)).toEqual(ids);
    expect(m.mentionedBot).toBe(bot);
  });

  it('keeps the bot mention in the display text only', () => {
    const m = mapMentions('@协作助手 /查看 #1', users);
    expect(m.display).toBe('<@sandbox:bot> /查看 #1');
    expect(m.text).toBe('/查看 #1');
  });

  it('maps to a neutral InboundMessage with the row id as message id', () => {
    const at = new Date('2026-11-23T02:00:00Z');
    const msg = toInboundMessage({
      chatId: 'sandbox:g1',
      chatName: '群',
      sender: users[0]!,
      rowId: 42,
      mapped: mapMentions('@bot /帮助 @李四', users),
      replyTo: 7,
      receivedAt: at,
    });
    expect(msg).toEqual({
      platform: 'sandbox',
      chatId: 'sandbox:g1',
      chatName: '群',
      messageId: '42',
      sender: users[0],
      text: '/帮助 <@sandbox:lisi>',
      mentions: [users[1]],
      mentionedBot: true,
      replyTo: '7',
      receivedAt: at,
    });
  });
});
