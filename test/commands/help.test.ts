import { describe, expect, it } from 'vitest';
import { COMMANDS, helpText, usage } from '../../src/commands/help.ts';
import { parseCommand } from '../../src/commands/parser.ts';
import type { CommandName } from '../../src/commands/types.ts';
import { makeCtx } from './fixtures.ts';

const ALL_NAMES: CommandName[] = [
  'help', 'req', 'contact', 'task', 'progress', 'ask', 'reply', 'more', 'note', 'issue', 'resolve', 'minutes', 'submit',
  'close', 'reopen', 'cancel', 'due', 'assign', 'retro', 'list', 'show', 'report', 'export', 'setup',
  'stage', 'done', 'skip', 'change', 'survey', 'delay', 'milestone', 'link', 'unlink', 'members',
];

describe('COMMANDS table', () => {
  it('has exactly one entry per command', () => {
    expect(COMMANDS.map((c) => c.name).sort()).toEqual([...ALL_NAMES].sort());
  });

  it('has no alias shared by two commands', () => {
    const aliases = COMMANDS.flatMap((c) => [...c.zh, ...c.en]);
    expect(new Set(aliases).size).toBe(aliases.length);
  });

  it.each(COMMANDS.flatMap((c) => [c.example, ...(c.more ?? [])].map((e) => [c.name, e] as const)))(
    'the %s example parses: %s',
    (name, example) => {
      expect(parseCommand(example, makeCtx([]))).toMatchObject({ ok: true, command: { name } });
    },
  );

  it.each(COMMANDS.flatMap((c) => [...c.zh, ...c.en].map((alias) => [alias, c.name] as const)))(
    'the alias %s names %s',
    (alias, name) => {
      const r = parseCommand(`/${alias}`, makeCtx());
      expect(r?.ok === false ? r.command : r?.command.name).toBe(name);
    },
  );
});

describe('helpText', () => {
  it('lists every command with its Chinese and English names', () => {
    const text = helpText()!;
    for (const c of COMMANDS) {
      expect(text).toContain(`/${c.zh[0]}`);
      expect(text).toContain(`/${c.en[0]}`);
      expect(text).toContain(c.summary);
    }
    expect(helpText('  ')).toBe(text);
  });

  it.each(['需求', 'req', '/REQ', '／需求'])('explains /需求 when asked for %j', (topic) => {
    const text = helpText(topic)!;
    expect(text).toMatch(/^\/需求（\/req）/);
    expect(text).toContain('to: / 协作: / 对接: / 给:');
    expect(text).toContain('/需求 官网改版接口联调 to:@张三');
  });

  it('knows every alias, e.g. 会议纪要 and 提问', () => {
    expect(helpText('会议纪要')).toMatch(/^\/纪要 \/会议纪要（\/minutes）/);
    expect(helpText('提问')).toMatch(/^\/反馈 \/提问（\/ask）/);
  });

  it('answers undefined for an unknown topic', () => {
    expect(helpText('飞机')).toBeUndefined();
  });
});

describe('usage', () => {
  it.each(ALL_NAMES)('%s gives the usage and one example', (name) => {
    const c = COMMANDS.find((x) => x.name === name)!;
    expect(usage(name)).toBe(`${c.usage}\n示例：${c.example}`);
  });
});
