// Stages of a request's collaboration type: the owner completes a stage with its document, the
// signer signs it off on a card (or refuses with a reason), the initiator may skip one with a
// reason. Every type runs through these functions from its template; none is special-cased.

import type { StageForm } from '../commands/forms.ts';
import type { Command } from '../commands/types.ts';
import { findStage, nextStage, stageOf } from '../domain/processes/registry.ts';
import { type DocumentTemplate, fieldValue, fillIn, missingFields, parseStageClock, type ProcessTemplate, type StageTemplate } from '../domain/processes/template.ts';
import { parseWhen } from '../domain/when.ts';
import type { ItemRow } from '../db/repo.ts';
import { type ActInput, type Outcome, whenOpts } from './act.ts';
import { type Ctx, nowMs, postCard, record, reply, say } from './context.ts';
import { at, fmtTime, itemRef } from './format.ts';
import { holders, processRegistry, roleKey } from './processes.ts';
import { groupLeader, LEADER_ROLE } from './leaders.ts';
import { setOutsideContact } from './sides.ts';
import { FORM_PLATFORMS, postStageForm } from './forms.ts';
import {
  documentsLabel, holderText, requestCard, requestCardKey, rolesText, signoffCard, signoffCardKey, type StageRecord, stageRecords, stepperLines,
} from './stage-cards.ts';

type Cmd<N extends Command['name']> = Extract<Command, { name: N }>;

/** Card actions of a stage's sign-off card. */
export const STAGE_ACTIONS: ReadonlySet<string> = new Set(['signoff', 'refuse']);

const ENDED = new Set(['closed', 'cancelled']);

/** The type a new request asks for, or a reply naming the types there are. */
export function resolveType(ctx: Ctx, typed: string | undefined): ProcessTemplate | string {
  const reg = processRegistry(ctx.config);
  if (typed === undefined) return reg.get(undefined);
  const t = reg.find(typed);
  if (t) return t;
  const names = reg.all().map((x) => `${x.name}（${x.id}）`).join('、');
  return `❌ 未知的协作类型：${typed}。可选：${names}。\n(Unknown type — one of: ${reg.all().map((x) => x.id).join(', ')}.)`;
}

/** The first stage's record of a new request of type `t`. */
export function firstStage(ctx: Ctx, t: ProcessTemplate): Advance {
  const s = t.stages[0]!;
  const rec = opened(ctx, s);
  return { stage: s.id, stageDueAt: watchedDue(s, rec), stages: { [s.id]: rec } };
}

/** Where a request goes next: its stage, that stage's clock (the scheduler watches it) and the records. */
interface Advance {
  stage: string;
  stageDueAt: number | null;
  stages: Record<string, StageRecord>;
}

/** Tells the group, for a request whose type was chosen, which stage it starts in and who acts. */
export function announceFirstStage(ctx: Ctx, item: ItemRow, t: ProcessTemplate): void {
  const s = stageOf(t, item.stage)!;
  const prefix = t.urgent ? '【紧急】' : '';
  say(ctx, `${prefix}${t.name}需求 ${itemRef(item.id, item.seqNo)}「${item.title}」共 ${t.stages.length} 个阶段：${t.stages.map((x) => x.name).join(' → ')}。${nextHint(ctx, item, t, s)}`, item.id, undefined, t.urgent);
}

/** `/阶段 #N` */
export function showStage(ctx: Ctx, item: ItemRow): void {
  if (item.kind !== 'request') return reply(ctx, `#${item.id} 不是需求，只有需求有协作阶段。`, item.id);
  const reg = processRegistry(ctx.config);
  const t = reg.get(item.process);
  const s = stageOf(t, item.stage);
  const where = item.stage === 'done' ? '全部阶段已完成' : `当前阶段：${s?.name ?? '—'}`;
  const roles = rolesText(reg, item, ctx.repo.people(item.id));
  const lines = [`需求 ${itemRef(item.id, item.seqNo)}「${item.title}」· 类型：${t.name} · ${where}`, ...stepperLines(item, t, reg, ctx.config.calendar.timezone)];
  if (roles) lines.push(`角色：${roles}`);
  reply(ctx, lines.join('\n'), item.id);
}

/** `/完成 #N [<阶段>] <文档> [evidence:]` by the stage's owner: records it and asks the signer. */
export function completeStage(ctx: Ctx, item: ItemRow, cmd: Cmd<'done'>): void {
  const gate = openRequest(ctx, item);
  if (!gate) return;
  const { t, s } = gate;
  const reg = processRegistry(ctx.config);
  const words = cmd.text.split(/\s+/);
  const named = words[0] ? findStage(t, words[0]) : undefined;
  if (named && named.id !== s.id) return reply(ctx, `需求 ${itemRef(item.id)} 当前阶段是「${s.name}」，不是「${named.name}」。`, item.id);
  const document = (named ? words.slice(1).join(' ') : cmd.text).trim();
  const recs = stageRecords(item);
  const rec = recs[s.id] ?? opened(ctx, s, recs);
  if (!document && !cmd.evidence) {
    // Its owner gets the stage's form; anyone else is told what the stage needs.
    const form = FORM_PLATFORMS.has(ctx.platform) && rec.status !== 'signing' && holders(reg, item, ctx.repo.people(item.id), s.owner, groupLeader(ctx.repo, item.chatId)).includes(ctx.actor.id);
    if (form) return postStageForm(ctx, s.id, stageForm(ctx.config, item)!);
    return reply(ctx, `❌ 缺少「${s.name}」的文档：${documentsLabel(s)}。`, item.id);
  }
  if (s.confirm && document.startsWith(s.confirm.name)) return confirmStage(ctx, item, t, s, rec, document.slice(s.confirm.name.length).trim());
  if (rec.status === 'signing') return reply(ctx, `阶段「${s.name}」已提交，正等待 ${at(rec.signer!)} 签核。`, item.id);
  const people = ctx.repo.people(item.id);
  const owners = holders(reg, item, people, s.owner, groupLeader(ctx.repo, item.chatId));
  if (!owners.includes(ctx.actor.id)) {
    return reply(ctx, `⛔ 无权操作：只有${reg.roleLabel(s.owner)}${owners.length ? `（${owners.map(at).join(' ')}）` : ''}可以完成阶段「${s.name}」。`, item.id);
  }
  const late = s.documents.find((d) => d.name === s.late);
  if (late && document.startsWith(late.name)) return fileDelay(ctx, item, s, rec, late, document.slice(late.name.length).trim());
  if (late && rec.dueAt && rec.dueAt < nowMs(ctx)) {
    return reply(ctx, `❌ 阶段「${s.name}」已超过节点时间 ${fmtTime(rec.dueAt, ctx.config.calendar.timezone)}：请先提交《${late.name}》及调整方案：/完成 #${item.id} ${late.name} ${fillIn(late)}`, item.id);
  }
  const verdict = s.verdicts?.find((v) => document.startsWith(v));
  if (s.verdicts && !verdict) return reply(ctx, `❌ 「${s.name}」需写明结论：${s.verdicts.join(' / ')}，例如 /完成 #${item.id} ${s.name} ${s.verdicts[0]} <理由>`, item.id);
  const signer = holders(reg, item, people, s.signer, groupLeader(ctx.repo, item.chatId))[0];
  if (!signer) {
    const label = reg.roleLabel(s.signer);
    return reply(ctx, `❌ 阶段「${s.name}」由${label}签核，但本需求还没有${label}。请先发送 /对接 #${item.id} @某人 role:${label}`, item.id);
  }
  const next: StageRecord = {
    ...rec,
    status: 'signing',
    round: rec.round + 1,
    document,
    evidence: cmd.evidence ?? null,
    verdict: verdict ?? null,
    by: ctx.actor.id,
    at: nowMs(ctx),
    signer,
  };
  const saved = save(ctx, item, { stage: s.id, data: { ...item.data, stages: { ...recs, [s.id]: next } } });
  if (!saved) return reply(ctx, '已处理：请重试。', item.id);
  record(ctx, saved, 'stage_done', item.state, item.state, { stage: s.id, document, evidence: cmd.evidence, verdict });
  postCard(ctx, saved, signoffCardKey(item.id, s.id, next.round), signoffCard(saved, t, s, next, ctx.config.calendar.timezone), false, next.signer);
  reply(ctx, `📄 已记录阶段「${s.name}」的文档，已请 ${at(signer)} 签核。`, item.id);
}

/** `/跳过 #N <阶段> reason:` by the initiator: the current stage or a later one. */
export function skipStage(ctx: Ctx, item: ItemRow, cmd: Cmd<'skip'>): void {
  const gate = openRequest(ctx, item);
  if (!gate) return;
  const { t, s: current } = gate;
  if (item.initiatorId !== ctx.actor.id) return reply(ctx, `⛔ 无权操作：只有发起人 ${at(item.initiatorId)} 可以跳过阶段。`, item.id);
  const s = findStage(t, cmd.stage);
  if (!s) return reply(ctx, `❌ ${t.name}类型没有阶段「${cmd.stage}」。阶段：${t.stages.map((x) => x.name).join(' → ')}`, item.id);
  const recs = stageRecords(item);
  const order = (x: StageTemplate) => t.stages.indexOf(x);
  if (order(s) < order(current) || recs[s.id]?.status === 'skipped') return reply(ctx, `阶段「${s.name}」已经过去，无需跳过。`, item.id);
  const skipped: StageRecord = { ...(recs[s.id] ?? opened(ctx, s)), status: 'skipped', skipReason: cmd.reason, skippedBy: ctx.actor.id };
  const stages = { ...recs, [s.id]: skipped };
  const advance = s.id === current.id ? following(ctx, t, stages, s) : { stage: current.id, stageDueAt: item.stageDueAt, stages };
  const saved = save(ctx, item, { stage: advance.stage, stageDueAt: advance.stageDueAt, data: { ...item.data, stages: advance.stages } });
  if (!saved) return reply(ctx, '已处理：请重试。', item.id);
  record(ctx, saved, 'skip', item.state, item.state, { stage: s.id, reason: cmd.reason });
  const prev = recs[s.id];
  if (prev?.status === 'signing') postCard(ctx, saved, signoffCardKey(item.id, s.id, prev.round), signoffCard(saved, t, s, skipped, ctx.config.calendar.timezone), true, skipped.signer);
  reply(ctx, `⏭️ 已跳过阶段「${s.name}」，原因：${cmd.reason}。${s.id === current.id ? moved(ctx, saved, t) : ''}`, item.id);
}

/** A click on a sign-off card: only the signer it names; 退回 needs a reason. */
export function stageCardAction(ctx: Ctx, item: ItemRow, input: ActInput): Outcome {
  if (input.forUser && input.forUser !== ctx.actor.id) return { ok: false, message: `⛔ 该按钮仅限 ${at(input.forUser)} 操作，您的点击未生效。` };
  const t = processRegistry(ctx.config).get(item.process);
  const s = stageOf(t, item.stage);
  const recs = stageRecords(item);
  const rec = s ? recs[s.id] : undefined;
  if (!s || !rec || rec.status !== 'signing' || ENDED.has(item.state)) return { ok: false, stale: true, message: `已处理：需求 ${itemRef(item.id)} 的这次签核已结束，无需重复操作。` };
  if (rec.signer !== ctx.actor.id) return { ok: false, message: `⛔ 无权操作：只有 ${at(rec.signer!)} 可以签核阶段「${s.name}」。` };
  const tz = ctx.config.calendar.timezone;
  if (input.action === 'signoff' && s.confirm) {
    return { ok: false, message: `请以《${s.confirm.name}》确认：发送 /完成 #${item.id} ${s.confirm.name} ${fillIn(s.confirm)}` };
  }
  if (input.action === 'refuse') {
    const reason = input.reason?.trim();
    // A returned stage document names what to change and the new date it is due by.
    const due = input.dueText ? parseWhen(input.dueText, whenOpts(ctx))?.getTime() : undefined;
    if (!reason || !input.dueText) return { ok: false, message: '退回需要说明：请填写退回原因和新期限。' };
    if (!due) return { ok: false, message: `无法识别的时间：${input.dueText}（示例：周五、12月1日、+2d）` };
    if (due <= nowMs(ctx)) return { ok: false, message: `新期限 ${input.dueText} 已过：请写今后的时间。` };
    const back: StageRecord = { ...rec, status: 'open', dueAt: due, refusals: [...rec.refusals, { by: ctx.actor.id, at: nowMs(ctx), reason, newDue: due }] };
    const saved = save(ctx, item, { stageDueAt: watchedDue(s, back), data: { ...item.data, stages: { ...recs, [s.id]: back } } });
    if (!saved) return { ok: false, stale: true, message: `已处理：需求 ${itemRef(item.id)} 刚刚已被他人处理。` };
    record(ctx, saved, 'refuse', item.state, item.state, { stage: s.id, reason, newDue: due });
    postCard(ctx, saved, signoffCardKey(item.id, s.id, rec.round), signoffCard(saved, t, s, back, tz), true, back.signer);
    say(ctx, `${at(rec.by!)} 阶段「${s.name}」被 ${at(ctx.actor.id)} 退回：${reason}。请在 ${fmtTime(due, tz)} 前修改后重新 /完成 #${item.id}。`, item.id);
    return { ok: true, item: saved, toast: `已退回阶段「${s.name}」。` };
  }
  return signOff(ctx, item, t, s, rec);
}

/** The signer signs the stage off (with their own document where the stage asks for one). */
function signOff(ctx: Ctx, item: ItemRow, t: ProcessTemplate, s: StageTemplate, rec: StageRecord, confirmation?: string): Outcome {
  const tz = ctx.config.calendar.timezone;
  const recs = stageRecords(item);
  const signed: StageRecord = { ...rec, status: 'done', signedBy: ctx.actor.id, signedAt: nowMs(ctx), ...(confirmation ? { confirmation } : {}) };
  const advance = following(ctx, t, { ...recs, [s.id]: signed }, s);
  const saved = save(ctx, item, { stage: advance.stage, stageDueAt: advance.stageDueAt, data: { ...item.data, stages: advance.stages } });
  if (!saved) return { ok: false, stale: true, message: `已处理：需求 ${itemRef(item.id)} 刚刚已被他人处理。` };
  record(ctx, saved, 'signoff', item.state, item.state, { stage: s.id, next: advance.stage });
  postCard(ctx, saved, signoffCardKey(item.id, s.id, rec.round), signoffCard(saved, t, s, signed, tz), true, signed.signer);
  say(ctx, `✅ 需求 ${itemRef(item.id, item.seqNo)} 阶段「${s.name}」已由 ${at(ctx.actor.id)} 签核。${moved(ctx, saved, t)}`, item.id, undefined, t.urgent);
  return { ok: true, item: saved, toast: `签核成功：阶段「${s.name}」已通过。` };
}

/** `/完成 #N 排期计划 …` by the signer of a stage confirmed with a document: records it and signs off. */
function confirmStage(ctx: Ctx, item: ItemRow, t: ProcessTemplate, s: StageTemplate, rec: StageRecord, text: string): void {
  const d = s.confirm!;
  if (rec.status !== 'signing' || !rec.signer) return reply(ctx, `阶段「${s.name}」还没有提交，《${d.name}》要在${documentsLabel(s)}提交后由签核人发送。`, item.id);
  if (rec.signer !== ctx.actor.id) return reply(ctx, `⛔ 无权操作：只有 ${at(rec.signer)} 可以以《${d.name}》确认阶段「${s.name}」。`, item.id);
  const missing = text ? missingFields(d, text) : d.fields;
  if (missing.length) return reply(ctx, `❌ 缺少《${d.name}》的${missing.join('、')}：请发送 /完成 #${item.id} ${d.name} ${fillIn(d)}`, item.id);
  const out = signOff(ctx, item, t, s, rec, text);
  reply(ctx, out.ok ? `📄 已记录《${d.name}》，阶段「${s.name}」已签核。` : (out.message ?? '已处理：请重试。'), item.id);
}

/**
 * `/完成 #N 延期说明 …` by the stage's owner, before or after the deadline: the note is recorded,
 * the signer is told, and the adjusted date (a `dueFrom` field of the note) becomes the deadline.
 */
function fileDelay(ctx: Ctx, item: ItemRow, s: StageTemplate, rec: StageRecord, d: DocumentTemplate, text: string): void {
  const missing = text ? missingFields(d, text) : d.fields;
  if (missing.length) return reply(ctx, `❌ 《${d.name}》需写明${missing.join('、')}：请发送 /完成 #${item.id} ${d.name} ${fillIn(d)}`, item.id);
  const tz = ctx.config.calendar.timezone;
  const field = s.dueFrom?.find((f) => fieldValue(f, text));
  const due = field ? parseWhen(fieldValue(field, text)!, whenOpts(ctx))?.getTime() : undefined;
  if (field && (!due || due <= nowMs(ctx))) return reply(ctx, `❌ ${field}「${fieldValue(field, text)}」应为今后的日期，如 12月15日。`, item.id);
  const next: StageRecord = { ...rec, dueAt: due ?? rec.dueAt ?? null, delays: [...(rec.delays ?? []), { by: ctx.actor.id, at: nowMs(ctx), text, dueAt: due ?? rec.dueAt ?? 0, previousDueAt: rec.dueAt ?? null }] };
  const saved = save(ctx, item, { stageDueAt: watchedDue(s, next), data: { ...item.data, stages: { ...stageRecords(item), [s.id]: next } } });
  if (!saved) return reply(ctx, '已处理：请重试。', item.id);
  record(ctx, saved, 'stage_delay', item.state, item.state, { stage: s.id, text, newDue: due });
  const signer = holders(processRegistry(ctx.config), item, ctx.repo.people(item.id), s.signer, groupLeader(ctx.repo, item.chatId))[0];
  const moved = due ? `节点调整至 ${fmtTime(due, tz)}。` : '';
  say(ctx, `${signer ? `${at(signer)} ` : ''}需求 ${itemRef(item.id, item.seqNo)} 阶段「${s.name}」：${at(ctx.actor.id)} 提交《${d.name}》——${text}。${moved}`, item.id, undefined, item.urgent);
}

/** `/对接 #N @X role:法务`: gives someone a role the request's type uses. */
export function assignRole(ctx: Ctx, item: ItemRow, cmd: Cmd<'contact'>): void {
  const reg = processRegistry(ctx.config);
  const role = reg.findRole(cmd.processRole!);
  const choices = reg.assignableRoles().map((r) => r.label).join('、');
  if (!role || role.id === 'initiator' || role.id === 'contact') return reply(ctx, `❌ 无效的角色：${cmd.processRole}（可选：主/子，或 ${choices}）`, item.id);
  const outside = reg.assignableRoles().filter((r) => r.external).map((r) => r.label).join('、');
  if (cmd.external && !role.external) return reply(ctx, `❌ ${role.label}是内部角色，不能写 外部:（外部联系人只用于 ${outside}）`, item.id);
  // An outside organisation is a side: one contact, replaced rather than added.
  if (role.external) {
    setOutsideContact(ctx, item, cmd, role);
    const changed = ctx.repo.getItem(item.id);
    if (changed && changed.version !== item.version) refreshRequestCard(ctx, changed);
    return;
  }
  const t = nowMs(ctx);
  // A request has one leader: naming another replaces the first.
  if (role.id === 'leader') for (const p of ctx.repo.people(item.id)) if (p.role === LEADER_ROLE && p.userId !== cmd.user.id) ctx.repo.removePerson(item.id, p.userId, p.role);
  ctx.repo.addPerson(item.id, cmd.user.id, roleKey(role.id), t, cmd.duty, 'confirmed');
  const key = `${role.id}:${cmd.user.id}`;
  const others = { ...((item.data.outsiders as Record<string, string> | undefined) ?? {}) };
  if (cmd.external) others[key] = cmd.external;
  else delete others[key];
  const saved = save(ctx, item, { data: { ...item.data, outsiders: others } });
  if (!saved) return reply(ctx, '已处理：请重试。', item.id);
  record(ctx, saved, 'role', item.state, item.state, { user: cmd.user.id, role: role.id, duty: cmd.duty, external: cmd.external });
  say(ctx, `👥 需求 ${itemRef(item.id)} 指定${role.label} ${holderText(saved, role.id, cmd.user.id)}${cmd.duty ? `，职责：${cmd.duty}` : ''}。`, item.id);
}

/** What a submit of the stage form of `stageId` would do: the form, or why it no longer applies. */
export function openStageForm(config: Ctx['config'], item: ItemRow | undefined, stageId: string): StageForm | string {
  const form = stageForm(config, item, stageId);
  if (!item || !form) return `需求 #${item?.id ?? ''} 已不在这个阶段：请发送 /阶段 #${item?.id ?? ''} 查看。`;
  if (stageRecords(item)[stageId]?.status === 'signing') return `阶段「${form.stage}」已提交，正等待签核。`;
  return form;
}

/** The form of the request's current stage (when it is `stageId`, if given) while the request is open. */
export function stageForm(config: Ctx['config'], item: ItemRow | undefined, stageId?: string): StageForm | undefined {
  if (!item || item.kind !== 'request' || ENDED.has(item.state) || item.stage === 'done') return undefined;
  const t = processRegistry(config).get(item.process);
  const s = stageOf(t, item.stage) ?? t.stages[0]!;
  if (stageId !== undefined && s.id !== stageId) return undefined;
  const fields = [...new Set(s.documents.filter((d) => d.name !== s.late).flatMap((d) => d.fields))];
  return { requestId: item.id, stage: s.name, ...(s.verdicts ? { verdicts: s.verdicts } : {}), fields };
}

function openRequest(ctx: Ctx, item: ItemRow): { t: ProcessTemplate; s: StageTemplate } | undefined {
  if (item.kind !== 'request') return void reply(ctx, `#${item.id} 不是需求，只有需求有协作阶段。`, item.id);
  if (ENDED.has(item.state)) return void reply(ctx, `需求 ${itemRef(item.id)} 已结束，不能再推进阶段。`, item.id);
  const t = processRegistry(ctx.config).get(item.process);
  if (item.stage === 'done') return void reply(ctx, `需求 ${itemRef(item.id)} 的全部阶段已完成。`, item.id);
  const s = stageOf(t, item.stage) ?? t.stages[0]!;
  return { t, s };
}

/**
 * The stage deadline the scheduler watches. A stage that follows request states (跨部门) is
 * already watched by the request's own clocks (confirmation, acceptance), so it adds no pings.
 */
function watchedDue(s: StageTemplate, rec: StageRecord): number | null {
  return s.states?.length ? null : (rec.dueAt ?? null);
}

function opened(ctx: Ctx, s: StageTemplate, earlier: Record<string, StageRecord> = {}): StageRecord {
  const clock = s.clock ? parseStageClock(s.clock) : undefined;
  const due = !clock ? null : 'workdays' in clock ? ctx.calendar.addWorkingDays(ctx.now, clock.workdays).getTime() : nowMs(ctx) + clock.ms;
  return { status: 'open', round: 0, startedAt: nowMs(ctx), dueAt: dueFromDocuments(ctx, s, earlier) ?? due, refusals: [] };
}

/** The date a stage runs to by earlier documents (the supplier's 计划时间, else the order's 交货时间). */
function dueFromDocuments(ctx: Ctx, s: StageTemplate, earlier: Record<string, StageRecord>): number | undefined {
  const texts = Object.values(earlier).flatMap((r) => [r.confirmation, r.document]).filter((x): x is string => !!x);
  for (const f of s.dueFrom ?? []) {
    for (const text of texts) {
      const v = fieldValue(f, text);
      const d = v ? parseWhen(v, whenOpts(ctx)) : undefined;
      if (d) return d.getTime();
    }
  }
  return undefined;
}

/** The stage after `s` that is not skipped already, opened; or 'done'. */
function following(ctx: Ctx, t: ProcessTemplate, stages: Record<string, StageRecord>, s: StageTemplate): Advance {
  let n = nextStage(t, s.id);
  while (n && stages[n.id]?.status === 'skipped') n = nextStage(t, n.id);
  if (!n) return { stage: 'done', stageDueAt: null, stages };
  const rec = { ...opened(ctx, n, stages), round: stages[n.id]?.round ?? 0 };
  return { stage: n.id, stageDueAt: watchedDue(n, rec), stages: { ...stages, [n.id]: rec } };
}

function moved(ctx: Ctx, item: ItemRow, t: ProcessTemplate): string {
  if (item.stage === 'done') return `🎉 全部 ${t.stages.length} 个阶段已完成，可发送 /归档 #${item.id} 归档（命名：${t.archiveName}，保存 ${t.retentionYears} 年以上）。`;
  return `进入阶段「${stageOf(t, item.stage)!.name}」。${nextHint(ctx, item, t, stageOf(t, item.stage)!)}`;
}

function nextHint(ctx: Ctx, item: ItemRow, t: ProcessTemplate, s: StageTemplate): string {
  const reg = processRegistry(ctx.config);
  const owners = holders(reg, item, ctx.repo.people(item.id), s.owner, groupLeader(ctx.repo, item.chatId));
  const due = stageRecords(item)[s.id]?.dueAt;
  const who = owners.length ? owners.map(at).join(' ') : reg.roleLabel(s.owner);
  return `请 ${who}${due ? ` 在 ${fmtTime(due, ctx.config.calendar.timezone)} 前` : ''}完成「${s.name}」：${documentsLabel(s)}，发送 /完成 #${item.id} <文档>。`;
}

function save(ctx: Ctx, item: ItemRow, patch: Partial<ItemRow>): ItemRow | undefined {
  if (!ctx.repo.updateItem(item.id, item.version, patch, nowMs(ctx))) return undefined;
  const saved = ctx.repo.getItem(item.id);
  if (saved) refreshRequestCard(ctx, saved);
  return saved;
}

/** Posts the request card of a request whose type was chosen (an update when `update`). */
export function postRequestCard(ctx: Ctx, item: ItemRow, update = false): void {
  const reg = processRegistry(ctx.config);
  postCard(ctx, item, requestCardKey(item.id), requestCard(item, reg.get(item.process), reg, ctx.repo.people(item.id), ctx.config.calendar.timezone), update);
}

/** Re-renders the request card, if the request has one, so its stepper shows where it stands now. */
export function refreshRequestCard(ctx: Ctx, item: ItemRow): void {
  const key = requestCardKey(item.id);
  if (item.kind === 'request' && (ctx.repo.cardRef(key) || ctx.repo.queuedCard(key, 0))) postRequestCard(ctx, item, true);
}

/** 〔客户·需求评审〕 for a request in /列表; empty for other kinds. */
export function typeStageBadge(config: Ctx['config'], item: ItemRow): string {
  if (item.kind !== 'request') return '';
  const t = processRegistry(config).get(item.process);
  return `〔${t.name}·${item.stage === 'done' ? '阶段已完成' : (stageOf(t, item.stage)?.name ?? '—')}〕`;
}

/** What a request's card adds for its type: the type, the roles people hold, and the stepper. */
export function stageCardParts(ctx: Ctx, item: ItemRow): { fields: Array<{ label: string; value: string }>; markdown: string[] } {
  if (item.kind !== 'request') return { fields: [], markdown: [] };
  const reg = processRegistry(ctx.config);
  const t = reg.get(item.process);
  const fields = [{ label: '协作类型', value: t.name }];
  const roles = rolesText(reg, item, ctx.repo.people(item.id));
  if (roles) fields.push({ label: '角色', value: roles });
  return { fields, markdown: ['**阶段**\n' + stepperLines(item, t, reg, ctx.config.calendar.timezone).join('\n')] };
}

/**
 * A type whose stages name request states (跨部门) follows the request's own lifecycle: entering
 * a state a later stage names opens that stage. Returns the fields to save with the transition
 * (and sets `data.stages`), so the stage moves in the same update as the state.
 */
export function stageForState(ctx: Ctx, item: ItemRow, to: string, data: Record<string, unknown>): Partial<Pick<ItemRow, 'stage' | 'stageDueAt'>> {
  if (item.kind !== 'request' || item.stage === 'done') return {};
  const t = processRegistry(ctx.config).get(item.process);
  const target = t.stages.find((s) => s.states?.includes(to));
  const current = t.stages.findIndex((s) => s.id === item.stage);
  if (!target || t.stages.indexOf(target) <= current) return {};
  const rec = opened(ctx, target, stageRecords(item));
  data.stages = { ...stageRecords(item), [target.id]: rec };
  return { stage: target.id, stageDueAt: watchedDue(target, rec) };
}
