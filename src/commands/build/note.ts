import { prose, takeUsers } from '../mentions.ts';
import type { Opt } from '../options.ts';
import { done, err, fail, ok, type Got } from '../result.ts';
import { INTERNAL_WORDS, takeFlag } from '../values.ts';
import type { ParseContext, ParseResult, Todo } from '../types.ts';
import { URGENT_WORDS } from './ask.ts';
import { dueMissing, takeRequestRef } from './attach.ts';
import { read, type Input } from './input.ts';

/** `/记录 [#需求] [内部] <内容> [紧急] [todo:<待办> @责任人 due:<时间>]…` — a due: belongs to the todo: before it. */
export function buildNote(i: Input): ParseResult {
  const a = read(i, { repeatable: ['todo', 'due'] });
  if (!a.ok) return fail('note', a.error);
  const ref = takeRequestRef(a.value.free);
  if (!ref.ok) return fail('note', ref.error);
  const inner = takeFlag(ref.value.rest, INTERNAL_WORDS);
  const flag = takeFlag(inner.rest, URGENT_WORDS);
  const text = prose(flag.rest, i.ctx);
  if (!text) return fail('note', '缺少记录内容');
  const todos = collectTodos(a.value.opts, i.ctx);
  if (!todos.ok) return fail('note', todos.error);
  return done({ name: 'note', text, urgent: flag.found !== undefined, todos: todos.value, requestId: ref.value.requestId, ...(inner.found ? { internal: true as const } : {}) });
}

function collectTodos(opts: readonly Opt[], ctx: ParseContext): Got<Todo[]> {
  const drafts: Array<Omit<Todo, 'due'> & { due?: Date }> = [];
  for (const o of opts) {
    if (o.key === 'due') {
      const last = drafts.at(-1);
      if (!last) return err(`${o.label}: 需写在所属的 todo: 之后`);
      if (last.due) return err(`待办「${last.text}」的截止时间重复`);
      last.due = o.date;
      continue;
    }
    const t = todo(o.text, ctx);
    if (!t.ok) return t;
    drafts.push(t.value);
  }
  // A to-do becomes a task, and a task is owed by a written-out date.
  const todos: Todo[] = [];
  for (const d of drafts) {
    if (!d.due) return err(dueMissing(`待办「${d.text}」`));
    todos.push({ ...d, due: d.due });
  }
  return ok(todos);
}

/** One to-do: its text and exactly one @owner. */
export function todo(raw: string, ctx: ParseContext): Got<Omit<Todo, 'due'>> {
  const people = takeUsers(raw, ctx);
  if (!people.ok) return people;
  const text = prose(people.value.rest, ctx);
  if (!text) return err('待办缺少内容');
  const [owner, ...more] = people.value.users;
  if (!owner) return err(`待办「${text}」缺少 @责任人`);
  if (more.length > 0) return err(`待办「${text}」只能有一位责任人`);
  return ok({ text, owner });
}
