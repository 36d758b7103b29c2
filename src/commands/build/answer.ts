// Commands that answer an item with text: /回复, /补充, /解决, /提交.

import { prose } from '../mentions.ts';
import { opt } from '../options.ts';
import { done, fail } from '../result.ts';
import { takeId } from '../values.ts';
import type { ParseResult } from '../types.ts';
import { read, type Input } from './input.ts';

/** `/回复 #A <答复>` */
export function buildReply(i: Input): ParseResult {
  const a = read(i);
  if (!a.ok) return fail('reply', a.error);
  const id = takeId(a.value.free);
  if (!id.ok) return fail('reply', id.error);
  const answer = prose(id.value.rest, i.ctx);
  if (!answer) return fail('reply', '缺少答复内容');
  return done({ name: 'reply', id: id.value.id, answer });
}

/** `/补充 #A <要补充的信息 / 补充的内容>` */
export function buildMore(i: Input): ParseResult {
  const a = read(i);
  if (!a.ok) return fail('more', a.error);
  const id = takeId(a.value.free);
  if (!id.ok) return fail('more', id.error);
  const text = prose(id.value.rest, i.ctx);
  if (!text) return fail('more', '缺少内容：写明需要补充什么，或补充的信息');
  return done({ name: 'more', id: id.value.id, text });
}

/** `/解决 #P <处理结果> [evidence:]` */
export function buildResolve(i: Input): ParseResult {
  const a = read(i);
  if (!a.ok) return fail('resolve', a.error);
  const id = takeId(a.value.free);
  if (!id.ok) return fail('resolve', id.error);
  const result = prose(id.value.rest, i.ctx);
  if (!result) return fail('resolve', '缺少处理结果');
  return done({ name: 'resolve', id: id.value.id, result, evidence: opt(a.value, 'evidence')?.text });
}

/** `/提交 #T <交付内容> [evidence:]` */
export function buildSubmit(i: Input): ParseResult {
  const a = read(i);
  if (!a.ok) return fail('submit', a.error);
  const id = takeId(a.value.free);
  if (!id.ok) return fail('submit', id.error);
  const deliverable = prose(id.value.rest, i.ctx);
  if (!deliverable) return fail('submit', '缺少交付内容');
  return done({ name: 'submit', id: id.value.id, deliverable, evidence: opt(a.value, 'evidence')?.text });
}
