// /关联 (a code, or linking with one), /取消关联 and /成员.

import { done, fail } from '../result.ts';
import { firstWord, noExtra } from '../values.ts';
import type { ParseResult } from '../types.ts';
import { read, type Input } from './input.ts';

/** Link codes: six digits or capital letters, typed in any case. */
const CODE = /^[0-9A-Za-z]{6}$/;
const EXTERNAL = ['外部', 'external'];

/** `/关联` asks for a code; `/关联 <code> [外部]` links this group with the code's group. */
export function buildLink(i: Input): ParseResult {
  const a = read(i);
  if (!a.ok) return fail('link', a.error);
  const { word, rest } = firstWord(a.value.free);
  if (!word) return done({ name: 'link' });
  if (!CODE.test(word)) return fail('link', `关联码是 6 位数字或大写字母：${word.slice(0, 12)}`);
  const { word: flag, rest: more } = firstWord(rest);
  if (flag && !EXTERNAL.includes(flag.toLowerCase())) return fail('link', `多余的内容：${rest.slice(0, 20)}（只能写「外部」）`);
  if (more) return fail('link', `多余的内容：${more.slice(0, 20)}`);
  return done({ name: 'link', code: word.toUpperCase(), external: Boolean(flag) });
}

/** A command that takes nothing after its name. */
function bare(name: 'unlink' | 'members'): (i: Input) => ParseResult {
  return (i) => {
    const a = read(i);
    if (!a.ok) return fail(name, a.error);
    const extra = noExtra(a.value.free);
    return extra.ok ? done({ name }) : fail(name, extra.error);
  };
}

export const buildUnlink = bare('unlink');
export const buildMembers = bare('members');
