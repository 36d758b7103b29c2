import { prose, takeUsers } from '../mentions.ts';
import type { Opt } from '../options.ts';
import { done, err, fail, ok, type Got } from '../result.ts';
import { takeFlag } from '../values.ts';
import type { ParseContext, ParseResult, Todo } from '../types.ts';
import { URGENT_WORDS } from './ask.ts';
import { read, type Input } from './input.ts';

/** `/记录 <内容> [紧急] [todo:<待办> @责任人 due:<时间>]…` — a due: belongs to the todo: before it. */
export function buildNote(i: Input): ParseResult {
  const a = read(i, { repeatable: ['todo', 'due'] });
  if (!a.ok) return fail('note', a.error);
  const flag = takeFlag(a.value.free, URGENT_WORDS);
  const text = prose(flag.rest, i.ctx);
  if (!text) return fail('note', '缺少记录内容');
  const todos = collectTodos(a.value.opts, i.ctx);
  if (!todos.ok) return fail('note', todos.error);
  return done({ name: 'note', text, urgent: flag.found !== undefined, todos: todos.value });
}

function collectTodos(opts: readonly Opt[], ctx: ParseContext): Got<Todo[]> {
  const todos: Todo[] = [];
  for (const o of opts) {
    if (o.key === 'due') {
      const last = todos.at(-1);
      if (!last) return err(`${o.label}: 需写在所属的 todo: 之后`);
      if (last.due) return err(`待办「${last.text}」的截止时间重复`);
      last.due = o.date;
      continue;
    }
    const t = todo(o.text, ctx);
    if (!t.ok) return t;
    todos.push(t.value);
  }
  return ok(todos);
}

/** One to-do: its text and exactly one @owner. */
export function todo(raw: string, ctx: ParseContext): Got<Todo> {
  const people = takeUsers(raw, ctx);
  if (!people.ok) return people;
  const text = prose(people.value.rest, ctx);
  if (!text) return err('待办缺少内容');
  const [owner, ...more] = people.value.users;
  if (!owner) return err(`待办「${text}」缺少 @责任人`);
  if (more.length > 0) return err(`待办「${text}」只能有一位责任人`);
  return ok({ text, owner });
}
