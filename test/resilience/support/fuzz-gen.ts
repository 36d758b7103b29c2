// Generators for the fuzz suite: command-ish text built from the real command and option names
// mixed with hostile material (random Unicode, CJK, emoji, control characters, lone surrogates,
// unbalanced and full-width quotes, mention tokens of unknown users, injections, our own mention
// tokens and the mention and link markup of Feishu and DingTalk typed by hand), and a few huge
// inputs. Everything comes from a seeded Rng.

import { COMMANDS } from '../../../src/commands/catalog.ts';
import { KEY_ALIASES } from '../../../src/commands/keys.ts';
import type { Rng } from './prng.ts';

export const ALIASES: readonly string[] = COMMANDS.flatMap((c) => [...c.zh, ...c.en]);

const POOLS: Record<string, (r: Rng) => string> = {
  ascii: (r) => String.fromCharCode(r.int(0x20, 0x7e)),
  cjk: (r) => String.fromCodePoint(r.int(0x4e00, 0x9fa5)),
  fullwidth: (r) => r.pick(['：', '，', '；', '、', '。', '“', '”', '「', '」', '『', '』', '（', '）', '！', '？', '＠', '＃', '／', '　', '％', '＋']),
  emoji: (r) => r.pick(['😀', '👍🏽', '👨‍👩‍👧‍👦', '🇨🇳', '🧪', '⏰', '❤️', '\u{1F9D1}\u200D\u{1F4BB}']),
  control: (r) => r.pick(['\u0000', '\u0001', '\u0007', '\b', '\t', '\n', '\r', '\u000b', '\u000c', '\u001b', '\u007f', '\u0085', '\u200b', '\u200d', '\u200e', '\u202e', '\u2028', '\u2029', '\ufeff', '\ufffd']),
  surrogate: (r) => r.pick(['\ud800', '\udfff', '\udc00\ud800']),
  space: (r) => r.pick([' ', '  ', '\u3000', '\u00a0', '\u2005', '\t']),
  any: (r) => {
    let cp = r.int(0, 0x10ffff);
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
    return String.fromCodePoint(cp);
  },
};

export const KNOWN_NAMES = ['张三', '李四', '王五', '赵六'];

/** Our internal mention tokens and the platforms' mention placeholders, typed by hand. */
export const TYPED_TOKENS: readonly string[] = [
  '<@feishu:all>',
  '<<@feishu:all>>',
  '<@feishu:ou_carol>',
  '<@dingtalk:all>',
  '<<@dingtalk:all>>',
  '<@dingtalk:@ALL>',
  '<@dingtalk:u_c>',
  '<@sandbox:ghost>',
  '<<@sandbox:zhangsan>>',
  '@all',
  '@ALL',
  '@_all',
  '@_user_1',
  '<@',
];

/** Mention, style and link markup of Feishu and DingTalk, typed by hand. */
export const TYPED_MARKUP: readonly string[] = [
  '<at id=all></at>',
  '<at user_id="all">所有人</at>',
  '<at id=ou_carol></at>',
  '<font color=red>红</font>',
  '<link url="https://evil.example">l</link>',
  '<a atId=all>所有人</a>',
  '<a atId=u_c>王五</a>',
  '<a href="javascript:alert(1)">x</a>',
  '[点我](https://evil.example/x)',
  '[x](javascript:alert(1))',
  '![x](https://evil.example/p.png)',
  '<https://evil.example>',
  '[x]: javascript:alert(1)',
  '[x][1]',
  '&#60;at id=all&#62;',
  '<b>粗</b>',
];

/** Fragments people (and attackers) type. */
function fragment(r: Rng, ids: { known: string[]; unknown: string[] }): string {
  switch (r.int(0, 21)) {
    case 0:
      return `@${r.pick(KNOWN_NAMES)}`;
    case 1:
      return `@${r.pick(['路人甲', 'nobody', 'all', '所有人', '', '@', '张', '张三三', 'bot'])}`;
    case 2:
      return `<@${r.pick(ids.known)}>`;
    case 3:
      return `<@${r.pick(ids.unknown)}>`;
    case 4:
      return `${r.pick(KEY_ALIASES).alias}${r.pick([':', '：', ' :', ''])}${r.chance(0.5) ? '' : r.pick(['周五', '明天', '+2d', '12/1 17:00', '2026-02-30', '下周一 10点', '高', '紧急', '60%', '子', '"引号"', '“未闭合', '「', ''])}`;
    case 5:
      return `#${r.pick(['1', '2', '3', '12', '0', '-1', '999999', '99999999999999999999', '1e3', '0x10', '１２', ''])}`;
    case 6:
      return r.pick(['"', "'", '“', '”', '「', '」', '『', '‘', '"未闭合的引号', '“全角引号', '「开始', '""', '“”']);
    case 7:
      return r.pick(["'; drop table items;--", '" or 1=1 --', '); delete from outbox; --', 'Robert\'); DROP TABLE audit;--', '%s%s%n', '${process.exit()}', '{{7*7}}']);
    case 8:
      return r.pick(['<at id=all></at>', '<at user_id="all">所有人</at>', '<at id=ou_x></at>', '<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '</div>', '&lt;&amp;']);
    case 9:
      return r.pick(['**粗体**', '[链接](javascript:alert(1))', '![x](http://x/y.png)', '`code`', '```\n块\n```', '# 标题', '> 引用', '- 列表 @李四 截止:周五', '| a | b |']);
    case 10:
      return r.pick(['紧急', '不急', '加急', '逾期', '全部', '我的', 'xlsx', 'csv', 'md', 'pdf', '60%', '101%', '-5%', '100%', '0%']);
    case 11:
      return r.pick(['https://example.com/r?a=1&b=<x>', 'http://', 'mailto:a@b.c', 'a@b.com', 'file:///etc/passwd', '../../etc/passwd']);
    case 12:
      return r.pick(['\n', '\r\n', '\n- 决议 @王五 截止:周五', '\n时间：今天 15:00', '\n参会：@李四 @王五', '\n地点：3楼']);
    case 13:
      return r.pick(['/', '／', '//', '/ /', '/帮助', '/help', '／需求']);
    case 14:
      return r.pick(TYPED_TOKENS);
    case 15:
      return r.pick(TYPED_MARKUP);
    default: {
      const pool = r.pick(Object.keys(POOLS));
      let s = '';
      for (let i = r.int(1, 12); i > 0; i--) s += POOLS[pool]!(r);
      return s;
    }
  }
}

function separator(r: Rng): string {
  return r.pick([' ', ' ', ' ', '', '\u3000', '\n', '\t', '，', '  ']);
}

/** A command prefix as people type it: `/需求`, `／ 需求`, `REQ`, `需求` … */
export function prefix(r: Rng): string {
  const alias = r.pick(ALIASES);
  const cased = /^[a-z]+$/.test(alias) && r.chance(0.3) ? alias.toUpperCase() : alias;
  return `${r.pick(['/', '/', '／', '', '/ ', ' /'])}${cased}`;
}

export interface Generated {
  text: string;
  /** Built to start with a command name followed by a separator (the parser must not ignore it). */
  commandLike: boolean;
}

export function commandText(r: Rng, ids: { known: string[]; unknown: string[] }): Generated {
  const commandLike = r.chance(0.65);
  let text = commandLike ? `${r.pick(['/', '／'])}${r.pick(ALIASES)}${r.pick([' ', '\u3000', '\n', ' '])}` : r.chance(0.2) ? prefix(r) : '';
  for (let i = r.int(0, 14); i > 0; i--) text += fragment(r, ids) + separator(r);
  return { text, commandLike };
}

/**
 * 20–100 KB of something a parser might choke on. (Unclosed full-width quotes after whitespace,
 * "“ “ “ …", are quadratic in the tokenizer today; fuzz.test.ts has a targeted test for them, so
 * they are left out here until it passes — then add `() => '“ '` and `() => '「 '` below.)
 */
export function hugeText(r: Rng, ids: { known: string[]; unknown: string[] }): string {
  const size = r.int(20_000, 100_000);
  const unit = r.pick([
    () => '@张三 ',
    () => `<@${r.pick(ids.unknown)}> `,
    () => '“',
    () => '「「「',
    () => 'due:',
    () => '截止：周五 ',
    () => 'a'.repeat(50),
    () => '中'.repeat(20),
    () => '👨‍👩‍👧‍👦',
    () => '\\"',
    () => '#1 ',
    () => ' ',
    () => '\n- 决议 @王五 截止:周五',
    () => '" ',
    () => 'x:y ',
    () => '@nobody ',
  ]);
  let body = '';
  while (body.length < size) body += unit();
  return `${r.pick(['/', ''])}${r.pick(ALIASES)} ${body}`;
}

/** Random bytes (not necessarily UTF-8). */
export function randomBytes(r: Rng, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = r.int(0, 255);
  return b;
}

/** JSON nested `depth` levels deep, as text (never built as an object: no recursion here). */
export function deepJson(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}
