// /延期 (a 延期说明, or the initiator's answer to one) and /里程碑.

import { parseWhen } from '../../domain/when.ts';
import { prose } from '../mentions.ts';
import { opt } from '../options.ts';
import { done, fail } from '../result.ts';
import { firstWord, takeFlag, takeId } from '../values.ts';
import type { ParseResult } from '../types.ts';
import { newDate } from './due.ts';
import { read, type Input } from './input.ts';

const APPROVE = ['批准', '同意', '通过', 'approve', 'ok'];
const REFUSE = ['拒绝', '不同意', '驳回', 'refuse', 'reject'];

/** `/延期 #T <新时间> reason:<原因> plan:<计划>`, or `/延期 #T 批准` / `/延期 #T 拒绝 reason:<原因>`. */
export function buildDelay(i: Input): ParseResult {
  const a = read(i);
  if (!a.ok) return fail('delay', a.error);
  const id = takeId(a.value.free);
  if (!id.ok) return fail('delay', id.error);
  const reason = opt(a.value, 'reason')?.text;
  const { word, rest } = firstWord(id.value.rest);
  const answer = APPROVE.includes(word.toLowerCase()) ? 'approve' : REFUSE.includes(word.toLowerCase()) ? 'refuse' : undefined;
  if (answer) {
    // A refusal's reason may follow the word as plain text.
    const why = [prose(rest, i.ctx), reason ?? ''].filter(Boolean).join(' ') || undefined;
    if (answer === 'refuse' && !why) return fail('delay', '拒绝延期须写明原因：/延期 #编号 拒绝 原因:<原因>');
    if (answer === 'approve' && rest) return fail('delay', `多余的内容：${rest}`);
    return done({ name: 'delay', id: id.value.id, answer, ...(why ? { reason: why } : {}) });
  }
  const due = newDate(a.value, id.value.rest, i.ctx);
  if (!due.ok) return fail('delay', due.error);
  if (!reason) return fail('delay', '缺少延期原因：请写 reason:<原因>（或 原因:）');
  const plan = opt(a.value, 'plan')?.text;
  if (!plan) return fail('delay', '缺少调整计划：请写 plan:<计划>（或 计划:）');
  return done({ name: 'delay', id: id.value.id, due: due.value, reason, plan });
}

const MAJOR = ['重大', 'major'];

/** `/里程碑 #N <名称> <时间> [重大]` (the time may also be given as due:). */
export function buildMilestone(i: Input): ParseResult {
  const a = read(i);
  if (!a.ok) return fail('milestone', a.error);
  const id = takeId(a.value.free);
  if (!id.ok) return fail('milestone', id.error);
  const flag = takeFlag(id.value.rest, MAJOR);
  const words = flag.rest.split(' ').filter(Boolean);
  let at = opt(a.value, 'due')?.date;
  let name = words;
  // The time is the longest run of words at the end that reads as one ("下周一 10点").
  for (let k = 1; !at && k < words.length; k++) {
    const d = parseWhen(words.slice(k).join(' '), i.ctx);
    if (d) {
      at = d;
      name = words.slice(0, k);
    }
  }
  if (!at) return fail('milestone', words.length > 1 ? `无法识别的时间：${words.at(-1)}` : '缺少里程碑名称或时间');
  const title = prose(name.join(' ').replace(/^["“「『'‘](.*)["”」』'’]$/, '$1'), i.ctx);
  if (!title) return fail('milestone', '缺少里程碑名称');
  return done({ name: 'milestone', id: id.value.id, title, at, major: flag.found !== undefined });
}
