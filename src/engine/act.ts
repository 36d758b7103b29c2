// The one way an action is applied to an item of any kind: decide with the kind's pure table,
// refuse with a clear Chinese message, else save with a version check, audit, and let the kind
// announce. Runs inside the engine's transaction.

import { decide, type Transition } from '../domain/machine.ts';
import { parseWhen } from '../domain/when.ts';
import type { ItemRow, NewItem, PersonRow } from '../db/repo.ts';
import { ACTION_LABEL, KIND_LABEL, ROLE_LABEL, stateLabel } from '../i18n/zh-CN.ts';
import { type Ctx, nowMs, record } from './context.ts';
import { at, itemRef } from './format.ts';
import { cardIsStale } from './stale.ts';

export interface ActInput {
  action: string;
  reason?: string;
  /** Raw text of a new date (card input), parsed in the configured zone. */
  dueText?: string;
  /** The user a clicked button was meant for. */
  forUser?: string;
  /** Version of the card that was clicked. */
  cardVersion?: number;
  /** Free text the action carries: a deliverable, an answer, a result. */
  text?: string;
  evidence?: string;
  pct?: number;
  risk?: string;
  plan?: string;
  /** Answer the same person's same click within this many ms of it with its success (see CardAction). */
  repeatWindowMs?: number;
}

export interface Facts {
  item: ItemRow;
  people: PersonRow[];
  actorId: string;
  input: ActInput;
  newDue?: Date;
}

type AnyRow = Transition<string, string, string, string>;

export interface KindSpec {
  kind: string;
  table: readonly AnyRow[];
  roles(f: Facts): Set<string>;
  guards(f: Facts): Record<string, boolean>;
  /** What a failed guard needs, in Chinese. */
  guardHint: Record<string, string>;
  /** Item fields to change besides the state. */
  patch(ctx: Ctx, f: Facts, to: string): Partial<NewItem>;
  /** People updates and messages once the change is saved. */
  after(ctx: Ctx, item: ItemRow, from: string, f: Facts): void;
  /** Whether the actor's own part is already done (a repeat click is "已处理", not an error). */
  alreadyDone?(f: Facts): boolean;
  /**
   * Re-renders (as updates) the item's cards that may still carry buttons. Buttons act on the
   * version they were rendered from, so a change outside a transition (deadline, owner,
   * contacts) calls this, or those buttons would be refused as stale.
   */
  refresh(ctx: Ctx, item: ItemRow): void;
}

/**
 * `repeat`: the same person's same click, a moment after it took effect, from a platform that
 * delivers a click more than once (to this instance or another): answered with the success it
 * had, and nothing more happens.
 */
export type Outcome = { ok: true; item: ItemRow; toast: string } | { ok: false; message: string; stale?: boolean; repeat?: boolean };

export function act(ctx: Ctx, spec: KindSpec, item: ItemRow, input: ActInput): Outcome {
  const { action } = input;
  const name = KIND_LABEL[spec.kind] ?? spec.kind;
  const ref = itemRef(item.id, item.seqNo);
  if (input.forUser && input.forUser !== ctx.actor.id) {
    return { ok: false, message: `⛔ 该按钮仅限 ${at(input.forUser)} 操作，您的点击未生效。` };
  }
  const newDue = input.dueText ? parseWhen(input.dueText, whenOpts(ctx)) : undefined;
  if (input.dueText && !newDue) return { ok: false, message: `无法识别的时间：${input.dueText}（示例：周五、12月1日、+2d）` };
  if (newDue && newDue.getTime() <= nowMs(ctx)) return { ok: false, message: `新期限 ${input.dueText} 已过：请写今后的时间（示例：周五、12月1日、+2d）。` };
  const f: Facts = { item, people: ctx.repo.people(item.id), actorId: ctx.actor.id, input, newDue };
  const done = (): Outcome => {
    const last = ctx.repo.history(item.id).findLast((h) => h.actorId === ctx.actor.id);
    if (input.repeatWindowMs && last?.action === action && nowMs(ctx) - last.at <= input.repeatWindowMs) {
      return { ok: false, stale: true, repeat: true, message: `${ACTION_LABEL[action] ?? action}成功：${name} ${ref} 现为【${stateLabel(item.state, spec.kind)}】。` };
    }
    return { ok: false, stale: true, message: `已处理：${name} ${ref} 当前状态为【${stateLabel(item.state, spec.kind)}】，您已操作过，无需重复。` };
  };
  // A card drawn before something it showed changed acts on what the clicker saw, not on what
  // is: refused even when the table would allow it (a replayed objection, a same-state transition).
  if (input.cardVersion !== undefined && cardIsStale(ctx.repo.history(item.id), input.cardVersion, item.version, ctx.actor.id)) {
    if (spec.alreadyDone?.(f)) return done();
    return { ok: false, stale: true, message: `已处理：${name} ${ref} 当前状态为【${stateLabel(item.state, spec.kind)}】，卡片已更新，无需重复操作；如需操作请使用最新的卡片。` };
  }
  const d = decide(spec.table, item.state, action, spec.roles(f), spec.guards(f));
  if (!d.ok) {
    // A repeat of something the actor already did (a double click) is "已处理", not a refusal.
    if (spec.alreadyDone?.(f)) return done();
    if (d.reason === 'forbidden') {
      return { ok: false, message: `⛔ 无权操作：只有${d.who.map((w) => ROLE_LABEL[w] ?? w).join('或')}可以${ACTION_LABEL[action] ?? action}${name} ${ref}。` };
    }
    if (d.reason === 'guard') return { ok: false, message: `${ACTION_LABEL[action] ?? action}需要说明：${spec.guardHint[d.guard] ?? d.guard}。` };
    return { ok: false, message: `${name} ${ref} 当前状态为【${stateLabel(item.state, spec.kind)}】，不能${ACTION_LABEL[action] ?? action}。` };
  }
  const t = nowMs(ctx);
  // Unchanged fields are left out: SQLite rewrites the entries of every index on a column an
  // UPDATE sets, even to the same value (a progress update would rewrite both state indexes).
  const patch = changedFields(item, { ...spec.patch(ctx, f, d.to), state: d.to });
  if (!ctx.repo.updateItem(item.id, item.version, patch, t)) {
    return { ok: false, stale: true, message: `已处理：${name} ${ref} 刚刚已被他人处理。` };
  }
  const after = ctx.repo.getItem(item.id)!;
  record(ctx, after, action, item.state, d.to, {
    reason: input.reason,
    newDue: newDue?.getTime(),
    text: input.text,
    evidence: input.evidence,
    pct: input.pct,
    risk: input.risk,
  });
  spec.after(ctx, after, item.state, f);
  return { ok: true, item: after, toast: `${ACTION_LABEL[action] ?? action}成功：${name} ${ref} 现为【${stateLabel(after.state, spec.kind)}】。` };
}

/** The patch without the scalar fields that already hold the same value (objects always kept). */
function changedFields(item: ItemRow, patch: Partial<NewItem>): Partial<NewItem> {
  const old = item as unknown as Record<string, unknown>;
  return Object.fromEntries(Object.entries(patch).filter(([k, v]) => (v !== null && typeof v === 'object') || old[k] !== v));
}

export function whenOpts(ctx: Ctx) {
  return { now: ctx.now, timezone: ctx.config.calendar.timezone, defaultDueTime: ctx.config.calendar.defaultDueTime };
}
