// /阶段, /完成, /跳过: the stages of a request's collaboration type.

import { prose } from '../mentions.ts';
import { opt } from '../options.ts';
import { done, fail } from '../result.ts';
import { firstWord, noExtra, takeId } from '../values.ts';
import type { ParseResult } from '../types.ts';
import { read, type Input } from './input.ts';

/** `/阶段 #N` */
export function buildStage(i: Input): ParseResult {
  const a = read(i);
  if (!a.ok) return fail('stage', a.error);
  const id = takeId(a.value.free);
  if (!id.ok) return fail('stage', id.error);
  const extra = noExtra(id.value.rest);
  if (!extra.ok) return fail('stage', extra.error);
  return done({ name: 'stage', id: id.value.id });
}

/** `/完成 #N [<阶段>] <文档> [evidence:<链接>]` */
export function buildDone(i: Input): ParseResult {
  const a = read(i);
  if (!a.ok) return fail('done', a.error);
  const id = takeId(a.value.free);
  if (!id.ok) return fail('done', id.error);
  const text = prose(id.value.rest, i.ctx);
  const evidence = opt(a.value, 'evidence')?.text;
  // With no document the engine answers: the stage's form for its owner, what it needs for others.
  return done({ name: 'done', id: id.value.id, text, evidence });
}

/** `/跳过 #N <阶段> reason:<原因>` */
export function buildSkip(i: Input): ParseResult {
  const a = read(i);
  if (!a.ok) return fail('skip', a.error);
  const id = takeId(a.value.free);
  if (!id.ok) return fail('skip', id.error);
  const { word, rest } = firstWord(id.value.rest);
  if (!word) return fail('skip', '缺少要跳过的阶段名称');
  const reason = [prose(rest, i.ctx), opt(a.value, 'reason')?.text ?? ''].filter(Boolean).join(' ');
  if (!reason) return fail('skip', '缺少跳过原因：请写 reason:<原因>');
  return done({ name: 'skip', id: id.value.id, stage: word, reason });
}

/** `/变更 #N <变更内容> reason:<原因>` */
export function buildChange(i: Input): ParseResult {
  const a = read(i);
  if (!a.ok) return fail('change', a.error);
  const id = takeId(a.value.free);
  if (!id.ok) return fail('change', id.error);
  const what = prose(id.value.rest, i.ctx);
  if (!what) return fail('change', '缺少变更内容');
  const reason = opt(a.value, 'reason')?.text;
  if (!reason) return fail('change', '缺少变更原因：请写 reason:<原因>');
  return done({ name: 'change', id: id.value.id, what, reason });
}

/** `/满意度 #N` */
export function buildSurvey(i: Input): ParseResult {
  const a = read(i);
  if (!a.ok) return fail('survey', a.error);
  const id = takeId(a.value.free);
  if (!id.ok) return fail('survey', id.error);
  const extra = noExtra(id.value.rest);
  if (!extra.ok) return fail('survey', extra.error);
  return done({ name: 'survey', id: id.value.id });
}
