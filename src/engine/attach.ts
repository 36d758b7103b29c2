// Which request a record (problem, question, note, minutes) belongs to: the one it names with
// `#N`, or — in a group with exactly one open request — that one, said in the reply. With several
// open requests and no `#N` the record stays on its own and the reply shows how to name one.

import { collabItemsIn, reachable } from './links.ts';
import type { Got } from '../commands/result.ts';
import type { ItemRow } from '../db/repo.ts';
import { KIND_LABEL } from '../i18n/zh-CN.ts';
import type { Ctx } from './context.ts';
import { itemRef, rowTitle } from './format.ts';
import { OPEN_STATES } from './queries.ts';

export interface Attachment {
  /** The request the record is filed under; undefined when it stays on its own. */
  request?: ItemRow;
  /** What the reply tells the user about it (the default taken, or how to name a request). */
  note?: string;
}

/**
 * The request for `requestId`, or the default. `command` is how the user typed the command's
 * name (e.g. "问题"), for the hint.
 */
export function attachment(ctx: Ctx, requestId: number | undefined, command: string): Got<Attachment> {
  if (requestId !== undefined) {
    const item = ctx.repo.getItem(requestId);
    if (!reachable(ctx, item)) {
      return { ok: false, error: `找不到本群的需求 #${requestId}：记录只能归入本群的需求（发送 /列表 查看编号）。` };
    }
    if (item.kind !== 'request') {
      return { ok: false, error: `#${requestId} 是${KIND_LABEL[item.kind] ?? item.kind}，不是需求：记录只能归入需求（发送 /列表 查看需求编号）。` };
    }
    return { ok: true, value: { request: item } };
  }
  // The open requests only: a group's whole history would be read on every record filed.
  const open = collabItemsIn(ctx, 'request', OPEN_STATES);
  const [only] = open;
  if (open.length === 1 && only) {
    return { ok: true, value: { request: only, note: `已归入 ${itemRef(only.id, only.seqNo)}「${rowTitle(only.title)}」（本群唯一进行中的需求）。` } };
  }
  if (open.length > 1) {
    return { ok: true, value: { note: `未归入需求：本群有 ${open.length} 个进行中的需求，如属于其中之一，请写明编号：/${command} #编号 …` } };
  }
  return { ok: true, value: {} };
}
