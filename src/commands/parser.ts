// parseCommand: text → a Command, a Chinese explanation of what is wrong, or null when the
// text is not addressed to the parser at all (it does not start with a command name).
//
// Name rule: an optional leading `/` (or `／`), then a Chinese or English command name.
// English names are case-insensitive and must end at a non-letter ("/required" is not /req).
// After a slash a Chinese name may run straight into its argument ("/需求接口联调"); without
// one it must be followed by whitespace or the end, so ordinary chat that merely starts with
// "问题…" or "记录…" is not taken for a command.

import { type FormCommand, isFormCommand } from './forms.ts';
import { BUILDERS } from './build/index.ts';
import { COMMANDS } from './catalog.ts';
import { normalize } from './tokenizer.ts';
import type { CommandName, ParseContext, ParseResult } from './types.ts';

interface Alias {
  name: CommandName;
  alias: string;
  english: boolean;
}

const ALIASES: readonly Alias[] = COMMANDS.flatMap((c) => [
  ...c.zh.map((alias) => ({ name: c.name, alias, english: false })),
  ...c.en.map((alias) => ({ name: c.name, alias, english: true })),
]).sort((a, b) => b.alias.length - a.alias.length);

function matchName(text: string): { name: CommandName; body: string } | undefined {
  const slash = /^[/／]\s*/.exec(text);
  const s = slash ? text.slice(slash[0].length) : text;
  const lower = s.toLowerCase();
  for (const a of ALIASES) {
    if (!lower.startsWith(a.alias)) continue;
    const next = s.charAt(a.alias.length);
    const ends = next === '' || /\s/.test(next);
    const fits = a.english ? ends || (slash !== null && !/[a-z0-9_-]/i.test(next)) : ends || slash !== null;
    if (fits) return { name: a.name, body: s.slice(a.alias.length) };
  }
  return undefined;
}

/** Longest command text we parse; a longer one is refused with a clear reply. */
export const MAX_COMMAND_LENGTH = 10_000;

/** A form command (`/需求`, `/task` …) typed with nothing after it: it answers with its form card. */
export function bareFormCommand(text: string): FormCommand | undefined {
  if (text.length > 200) return undefined;
  const hit = matchName(normalize(text).trim());
  return hit && hit.body.trim() === '' && isFormCommand(hit.name) ? hit.name : undefined;
}

export function parseCommand(text: string, ctx: ParseContext): ParseResult | null {
  const hit = matchName(normalize(text.length > MAX_COMMAND_LENGTH * 2 ? text.slice(0, MAX_COMMAND_LENGTH * 2) : text).trim());
  if (!hit) return null;
  if (text.length > MAX_COMMAND_LENGTH) {
    return { ok: false, command: hit.name, error: `命令太长（${text.length} 字），最多 ${MAX_COMMAND_LENGTH} 字；长内容请放在文档里并附链接。` };
  }
  return BUILDERS[hit.name]({ name: hit.name, body: hit.body, ctx });
}
