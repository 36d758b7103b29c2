// `/纪要 [#需求] <主题>` then one line per header (时间： 地点： 参会：) or item. An item with an @owner
// is a decision (it becomes an action item); without one it is an agenda line. Bullets are
// optional, so minutes pasted from elsewhere still read.

import type { UserRef } from '../../domain/chat.ts';
import { prose, takeUsers } from '../mentions.ts';
import { opt, readArgs, type Args } from '../options.ts';
import { done, err, fail, ok, type Got } from '../result.ts';
import type { Decision, ParseContext, ParseResult } from '../types.ts';
import { dueMissing, takeRequestRef } from './attach.ts';
import type { Input } from './input.ts';

const BULLET = /^(?:[-·•*]|\d{1,2}[.、)）]|[（(]\d{1,2}[)）])\s*/;
const HEADER_KEYS = ['time', 'place', 'attendees'] as const;

interface Minutes {
  time?: Date;
  place?: string;
  attendees: UserRef[];
  agenda: string[];
  decisions: Decision[];
}

export function buildMinutes(i: Input): ParseResult {
  const [first = '', ...lines] = i.body.split(/\r?\n/);
  const head = readArgs(first, HEADER_KEYS, i.ctx, { timeOnly: 'today' });
  if (!head.ok) return fail('minutes', head.error);
  const ref = takeRequestRef(head.value.free);
  if (!ref.ok) return fail('minutes', ref.error);
  const topic = prose(ref.value.rest, i.ctx);
  if (!topic) return fail('minutes', '缺少会议主题（写在命令后的第一行）');
  const m: Minutes = { attendees: [], agenda: [], decisions: [] };
  const h = applyHeader(m, head.value);
  if (!h.ok) return fail('minutes', h.error);
  for (const raw of lines) {
    const r = readLine(m, raw.trim(), i.ctx);
    if (!r.ok) return fail('minutes', r.error);
  }
  return done({ name: 'minutes', topic, ...m, requestId: ref.value.requestId });
}

function readLine(m: Minutes, line: string, ctx: ParseContext): Got<void> {
  if (line === '') return ok(undefined);
  const bullet = BULLET.exec(line);
  if (!bullet) {
    const header = readArgs(line, HEADER_KEYS, ctx, { timeOnly: 'today' });
    if (header.ok && header.value.opts.length > 0 && header.value.free === '') return applyHeader(m, header.value);
    if (!header.ok && header.error.startsWith('无法识别的时间')) return header;
  }
  return item(m, bullet ? line.slice(bullet[0].length) : line, ctx);
}

function applyHeader(m: Minutes, a: Args): Got<void> {
  const time = opt(a, 'time');
  const place = opt(a, 'place');
  if (time && m.time) return err('会议时间重复');
  if (place && m.place) return err('会议地点重复');
  if (time) m.time = time.date;
  if (place) m.place = place.text;
  for (const u of opt(a, 'attendees')?.users ?? []) if (!m.attendees.some((x) => x.id === u.id)) m.attendees.push(u);
  return ok(undefined);
}

function item(m: Minutes, line: string, ctx: ParseContext): Got<void> {
  const a = readArgs(line, ['due'], ctx);
  if (!a.ok) return a;
  const people = takeUsers(a.value.free, ctx);
  if (!people.ok) return people;
  const text = prose(people.value.rest, ctx);
  if (!text) return err(`无法识别的纪要行：${line}`);
  const [owner, ...more] = people.value.users;
  const due = opt(a.value, 'due')?.date;
  if (more.length > 0) return err(`决议「${text}」只能有一位责任人`);
  if (!owner && due) return err(`决议「${text}」缺少 @责任人`);
  // A decision becomes a task, and a task is owed by a written-out date.
  if (owner && !due) return err(dueMissing(`决议「${text}」`));
  if (owner && due) m.decisions.push({ text, owner, due });
  else m.agenda.push(text);
  return ok(undefined);
}
