// Help texts, Chinese first with the English names alongside, all rendered from the catalog.

import { COMMANDS, findCommand, spec, type CommandSpec } from './catalog.ts';
import { KEYS, keyLabel } from './keys.ts';
import type { CommandName } from './types.ts';

export { COMMANDS, type CommandSpec } from './catalog.ts';

/** The right usage with one example, as shown under an error. */
export function usage(name: CommandName): string {
  const s = spec(name);
  return `${s.usage}\n示例：${s.example}`;
}

/** `/帮助` lists every command; `/帮助 需求` (any alias) explains one; unknown topic → undefined. */
export function helpText(topic?: string): string | undefined {
  const t = topic?.trim();
  if (!t) return overview();
  const s = findCommand(t);
  return s ? detail(s) : undefined;
}

function names(s: CommandSpec): string {
  const zh = s.zh.map((n) => `/${n}`).join(' ');
  const en = s.en.map((n) => `/${n}`).join(' ');
  return `${zh}（${en}）`;
}

function overview(): string {
  return [
    '协作助手命令一览（中英文命令均可，斜杠可省略）：',
    ...COMMANDS.map((s) => `${names(s)} — ${s.summary}`),
    '',
    '发送「/帮助 <命令>」查看详细用法和示例，例如：/帮助 需求',
  ].join('\n');
}

function detail(s: CommandSpec): string {
  const lines = [`${names(s)} — ${s.summary}`, '', '用法：', s.usage];
  if (s.keys.length > 0) {
    lines.push('', '选项（中英文键均可，冒号可用全角「：」）：');
    for (const k of s.keys) lines.push(`  ${keyLabel(k)} — ${KEYS[k].meaning}`);
  }
  lines.push('', '示例：', s.example, ...(s.more ?? []));
  if (s.notes?.length) lines.push('', '说明：', ...s.notes.map((n) => `· ${n}`));
  return lines.join('\n');
}
