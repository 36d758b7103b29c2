import { prose, takeLeadingUsers } from '../mentions.ts';
import { opt } from '../options.ts';
import { done, fail } from '../result.ts';
import { takeFlag } from '../values.ts';
import type { ParseResult } from '../types.ts';
import { takeRequestRef } from './attach.ts';
import { read, type Input } from './input.ts';

export const URGENT_WORDS = ['紧急', '加急', 'urgent'] as const;

/** `/反馈 [#需求] @a @b <问题> [紧急]` — the leading mentions (or to:) are who must answer. */
export function buildAsk(i: Input): ParseResult {
  const a = read(i);
  if (!a.ok) return fail('ask', a.error);
  const ref = takeRequestRef(a.value.free);
  if (!ref.ok) return fail('ask', ref.error);
  const flag = takeFlag(ref.value.rest, URGENT_WORDS);
  const lead = takeLeadingUsers(flag.rest, i.ctx);
  if (!lead.ok) return fail('ask', lead.error);
  const to = [...lead.value.users, ...(opt(a.value, 'to')?.users ?? [])].filter(
    (u, k, all) => all.findIndex((x) => x.id === u.id) === k,
  );
  if (to.length === 0) return fail('ask', '缺少提问对象：请在问题前 @要回答的人');
  const question = prose(lead.value.rest, i.ctx);
  if (!question) return fail('ask', '缺少问题内容');
  return done({ name: 'ask', to, question, urgent: flag.found !== undefined, requestId: ref.value.requestId });
}
