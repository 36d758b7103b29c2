import { prose } from '../mentions.ts';
import { opt } from '../options.ts';
import { done, fail } from '../result.ts';
import { priority, takeFlag } from '../values.ts';
import type { ParseResult } from '../types.ts';
import { requiredDue } from './attach.ts';
import { read, type Input } from './input.ts';

const URGENCY = { 紧急: 'urgent', 加急: 'urgent', urgent: 'urgent', 不急: 'low' } as const;

/** `/需求 <标题> to:@A @B due: [pri:] [std:] [background:] [紧急|不急]` */
export function buildReq(i: Input): ParseResult {
  const a = read(i);
  if (!a.ok) return fail('req', a.error);
  const flag = takeFlag(a.value.free, Object.keys(URGENCY));
  const title = prose(flag.rest, i.ctx);
  if (!title) return fail('req', '缺少需求标题');
  const to = opt(a.value, 'to');
  if (!to) return fail('req', '缺少对接人：请用 to:@某人 指定至少一位');
  const p = opt(a.value, 'pri');
  const pri = p ? priority(p.text) : ({ ok: true, value: 'medium' } as const);
  if (!pri.ok) return fail('req', pri.error);
  const lead = opt(a.value, 'lead');
  if (lead && lead.users.length > 1) return fail('req', '负责人只能是一位：请只 @一位成员');
  const due = requiredDue(a.value, '需求');
  if (!due.ok) return fail('req', due.error);
  return done({
    name: 'req',
    title,
    to: to.users,
    due: due.value,
    pri: pri.value,
    std: opt(a.value, 'std')?.text,
    background: opt(a.value, 'background')?.text,
    urgency: flag.found ? URGENCY[flag.found as keyof typeof URGENCY] : undefined,
    type: opt(a.value, 'type')?.text,
    counterparty: (opt(a.value, 'customer') ?? opt(a.value, 'supplier') ?? opt(a.value, 'partner'))?.text,
    ...(lead ? { lead: lead.users[0]! } : {}),
  });
}
