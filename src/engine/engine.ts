// The engine: applies an inbound message or card action in one SQLite transaction
// (load → decide → save + audit + outbox), then tells the outbox dispatcher to deliver.

import { CHAT_FIELD, FORM_ACTION, FORM_PLATFORMS, postForm, readForm, refilledForm } from './forms.ts';
import { menuAction, privateChat, runMenu } from './menu.ts';
import { openStageForm } from './stage.ts';
import { acceptLink, listMembers, offerLink, reachable, removeLink, resolveTypedName } from './links.ts';
import type { Logger } from 'pino';
import { bareFormCommand, parseCommand } from '../commands/parser.ts';
import { helpText } from '../commands/help.ts';
import { withinLimits } from '../commands/limits.ts';
import type { Command } from '../commands/types.ts';
import type { Config } from '../config/schema.ts';
import type { Card } from '../domain/card.ts';
import { type CardAction, type InboundMessage, type MenuEvent, type UserRef, defuseTokens, trustTokens } from '../domain/chat.ts';
import type { Clock } from '../domain/clock.ts';
import type { WorkCalendar } from '../domain/calendar.ts';
import type { ItemRow, Repo } from '../db/repo.ts';
import type { Metrics } from '../metrics.ts';
import { KIND_LABEL } from '../i18n/zh-CN.ts';
import { type ActInput, type KindSpec, type Outcome, act } from './act.ts';
import { answerByThread, askSpec, createAsk } from './ask.ts';
import { addRetro, changeContact, changeDue, changeOwner } from './changes.ts';
import { setupChat } from './setup.ts';
import { type Ctx, reply } from './context.ts';
import { createIssue, issueSpec } from './issue.ts';
import { createMinutes, createNote, minutesSpec } from './minutes.ts';
import { listItems, postReport, showItem } from './queries.ts';
import { createRequest, requestSpec } from './request.ts';
import { CHANGE_ACTIONS, changeCardAction, fileChange } from './change.ts';
import { progressReport } from './progress-report.ts';
import { SURVEY_ACTIONS, sendSurvey, surveyCardAction } from './survey.ts';
import { STAGE_ACTIONS, completeStage, showStage, skipStage, stageCardAction } from './stage.ts';
import { createTask, taskSpec } from './task.ts';
import { DELAY_ACTIONS, answerDelay, delayCardAction, fileDelay } from './delay.ts';
import { createMilestone } from './milestone.ts';
import { SUB_ACTIONS, subCardAction } from './sub-contacts.ts';
import { attachment } from './attach.ts';
import { itemRef } from './format.ts';
import { spec as commandSpec } from '../commands/catalog.ts';

export interface EngineDeps {
  repo: Repo;
  config: Config;
  clock: Clock;
  calendar: WorkCalendar;
  log: Logger;
  /** Called after a commit that wrote outbox rows, so delivery starts at once. */
  onOutbox?: () => void;
  /** Re-plans an item's reminders; called inside the transaction that changed it. */
  replan?: (itemId: number) => void;
  metrics?: Metrics;
  /** Builds the reply to /export (a signed download link); absent when exports are off. */
  exportLink?: (ctx: Ctx, cmd: Extract<Command, { name: 'export' }>) => string;
}

export interface ActionResult {
  ok: boolean;
  /** Short text for the clicker (a toast), the refusal when ok is false. */
  toast: string;
  /** The clicked card as it should now look, when it changed. */
  card?: Card;
  cardKey?: string;
}

const REPLAYED = '已处理：该操作已生效，无需重复。';

/** Card actions each kind accepts from a button. */
const CARD_ACTIONS: Record<string, ReadonlySet<string>> = {
  request: new Set(['confirm', 'object', 'accept', 'reject', ...SUB_ACTIONS, ...STAGE_ACTIONS, ...CHANGE_ACTIONS, ...SURVEY_ACTIONS, ...DELAY_ACTIONS]),
  task: new Set(['accept', 'reject', ...DELAY_ACTIONS]),
  ask: new Set(['reply', 'needinfo', 'supply']),
  issue: new Set(['verify', 'reopen', 'needinfo', 'supply', ...DELAY_ACTIONS]),
  minutes: new Set(['confirm']),
};

const SPECS: Record<string, KindSpec> = { request: requestSpec, task: taskSpec, ask: askSpec, issue: issueSpec, minutes: minutesSpec };

export class Engine {
  constructor(private readonly d: EngineDeps) {}

  /**
   * Handles one group message. Never throws: failures are logged and answered.
   * The chat and the people it names are remembered first (the Repo writes them only when new
   * or renamed), so that an @name of someone just seen resolves. Plain chatter (no command, not
   * for the bot, not an answer in a question's thread) changes nothing else, so it takes no write
   * transaction and no exactly-once claim (table `handled`); commands, answers and messages to
   * the bot are claimed and applied in one transaction.
   */
  handleMessage(inbound: InboundMessage): void {
    // Only the mentions the platform listed are people to @; any other token is typed text.
    const msg = { ...inbound, text: trustTokens(inbound.text, inbound.mentions) };
    const end = this.d.metrics?.commandSeconds.startTimer({ kind: 'message' });
    const ctx = this.ctx(msg.platform, msg.chatId, msg.sender, msg.noReply ? undefined : msg.messageId);
    const { repo, log } = this.d;
    let wroteOutbox = false;
    try {
      this.remember(msg.chatId, msg.platform, msg.chatName, [msg.sender, ...msg.mentions]);
      const parsed = withinLimits(
        parseCommand(msg.text, {
          now: ctx.now,
          timezone: this.d.config.calendar.timezone,
          defaultDueTime: this.d.config.calendar.defaultDueTime,
          mentions: msg.mentions,
          resolveName: (name: string) => resolveTypedName(repo, msg.chatId, msg.platform, name),
        }),
        this.d.config.limits,
      );
      const form = FORM_PLATFORMS.has(msg.platform) ? bareFormCommand(msg.text) : undefined;
      const question = parsed === null ? this.questionAnswered(msg) : undefined;
      // A menu item's text sent to the bot in a group (DingTalk's robot shortcuts send it so).
      const menu = parsed === null && msg.mentionedBot ? menuAction(msg.text) : undefined;
      if (parsed === null && !msg.mentionedBot && !question) {
        end?.();
        return;
      }
      const writesBefore = repo.outboxWrites;
      this.inTx(() => {
        if (!repo.claimMessage(msg.platform, msg.messageId, ctx.now.getTime())) {
          log.info({ chatId: msg.chatId, messageId: msg.messageId }, 'message already handled');
          return;
        }
        if (form) {
          postForm(ctx, form);
          return;
        }
        if (menu) {
          runMenu(ctx, menu, true);
          return;
        }
        if (parsed === null) {
          // An answer is applied through the item's version check, like every other change.
          if (question) answerByThread(ctx, question, msg.text.trim());
          else reply(ctx, '我没有识别出命令。发送 /帮助 查看全部命令和示例。\n(Unknown command — send /help.)');
          return;
        }
        if (!parsed.ok) {
          reply(ctx, `❌ ${parsed.error}${parsed.usage ? `\n用法：${parsed.usage}` : ''}`);
          return;
        }
        this.run(ctx, parsed.command);
      });
      wroteOutbox = repo.outboxWrites !== writesBefore;
    } catch (err) {
      log.error({ err, chatId: msg.chatId, messageId: msg.messageId }, 'message handling failed');
      this.safeReply(ctx, '⚠️ 处理命令时出现内部错误，请稍后重试。(Internal error.)');
      wroteOutbox = true;
    }
    end?.();
    // The dispatcher is woken only when there is something new to deliver.
    if (wroteOutbox) this.d.onOutbox?.();
  }

  /**
   * A submitted form runs as the command it stands for, through handleMessage (the same parse,
   * validations, replies and exactly-once claim). It is parsed here first so that an invalid one
   * is answered on the card, which keeps what was filled in, and nothing is posted.
   */
  private submitForm(submitted: CardAction): ActionResult {
    // A form sent in a private chat says which group it is for: one the person is in.
    const target = submitted.form[CHAT_FIELD]?.trim();
    const stageForm = (id: number, stage: string) => openStageForm(this.d.config, this.d.repo.getItem(id), stage);
    // A refused value comes back on the card, beside its field, with everything else as filled in.
    const refused = (toast: string): ActionResult => {
      const card = refilledForm(this.d.repo, submitted, toast, stageForm);
      return { ok: false, toast, ...(card ? { card } : {}) };
    };
    if (target && !this.d.repo.links.chatsOf(submitted.actor.id, [target]).length) return refused('❌ 所在群：请选择你所在的、有协作助手的群。');
    const a = target ? { ...submitted, chatId: target } : submitted;
    const r = readForm(this.d.repo, a, stageForm);
    if (!r.ok) return r.refill ? refused(r.toast) : { ok: false, toast: r.toast };
    const parsed = parseCommand(r.text, {
      now: this.d.clock.now(),
      timezone: this.d.config.calendar.timezone,
      defaultDueTime: this.d.config.calendar.defaultDueTime,
      mentions: r.mentions,
      resolveName: (name: string) => resolveTypedName(this.d.repo, a.chatId, a.platform, name),
    });
    if (!parsed?.ok) return refused(`❌ ${parsed ? parsed.error : '无法识别表单内容'}`);
    this.handleMessage({ platform: a.platform, chatId: a.chatId, messageId: r.messageId, sender: a.actor, text: r.text, mentions: r.mentions, mentionedBot: true, noReply: true, receivedAt: a.receivedAt });
    const chat = target ? this.d.repo.getChat(target) : undefined;
    return { ok: true, toast: chat ? `✅ 已提交到「${chat.project ?? chat.name ?? target}」` : '✅ 已提交' };
  }

  /**
   * A click on the bot's menu (see menu.ts): answered in its group, or in the person's private
   * chat when the platform names none. A redelivered event acts once.
   */
  handleMenu(ev: MenuEvent): void {
    const { repo, log } = this.d;
    const action = menuAction(ev.key);
    if (!action) {
      log.warn({ platform: ev.platform, key: ev.key.slice(0, 40) }, 'unknown bot menu key ignored');
      return;
    }
    const inGroup = ev.chatId !== undefined;
    const ctx = this.ctx(ev.platform, ev.chatId ?? privateChat(ev), ev.actor);
    try {
      this.inTx(() => {
        if (!repo.claimMessage(ev.platform, `menu:${ev.eventId}`, ctx.now.getTime())) return;
        if (ev.actor.name && ev.actor.name !== ev.actor.id) repo.upsertUser(ev.actor.id, ev.actor.name, ctx.now.getTime());
        if (inGroup) this.remember(ctx.chatId, ev.platform, undefined, [ev.actor]);
        runMenu(ctx, action, inGroup);
      });
    } catch (err) {
      log.error({ err, key: ev.key }, 'menu handling failed');
      this.safeReply(ctx, '⚠️ 处理菜单时出现内部错误，请稍后重试。(Internal error.)');
    }
    this.d.onOutbox?.();
  }

  /** The question a threaded reply answers: a question card's thread, waiting for an answer or for information, with text. */
  private questionAnswered(msg: InboundMessage): ItemRow | undefined {
    const parent = msg.replyTo ?? msg.threadRoot;
    const itemId = parent ? this.d.repo.itemOfMessage(msg.platform, parent) : undefined;
    const item = itemId !== undefined ? this.d.repo.getItem(itemId) : undefined;
    return item?.kind === 'ask' && (item.state === 'waiting' || item.state === 'info') && msg.text.trim() ? item : undefined;
  }

  /** Handles one card click; the result is shown to the clicker at once. */
  handleCardAction(a: CardAction): ActionResult {
    if (a.action.startsWith(FORM_ACTION)) return this.submitForm(a);
    const end = this.d.metrics?.commandSeconds.startTimer({ kind: 'card' });
    const ctx = this.ctx(a.platform, a.chatId, a.actor);
    let result: ActionResult;
    try {
      result = this.inTx(() => {
        this.remember(a.chatId, a.platform, undefined, [a.actor]);
        // A callback sent again (a replay, or a resend once the click memo has forgotten it) is
        // answered as done; only callbacks that acted are claimed, so a refused one may be retried.
        const replay = a.replayKey ? `card:${a.replayKey}` : undefined;
        if (replay && this.d.repo.isClaimed(a.platform, replay)) return { ok: false, toast: REPLAYED };
        const item = this.d.repo.getItem(a.itemId);
        if (!reachable(ctx, item)) return { ok: false, toast: `找不到事项 #${a.itemId}。` };
        const spec = SPECS[item.kind];
        if (!spec || !CARD_ACTIONS[item.kind]?.has(a.action)) return { ok: false, toast: `未知操作：${a.action}` };
        const before = this.d.repo.lastOutboxId();
        const input: ActInput = {
          action: a.action,
          // A card form carries no platform mentions: everything in it is typed text.
          reason: typed(a.form.reason),
          dueText: typed(a.form.due),
          text: typed(a.form.answer),
          forUser: a.for,
          cardVersion: a.version,
          repeatWindowMs: a.repeatWindowMs,
        };
        // The survey reads its own fields from the form: typed text as well.
        const form = Object.fromEntries(Object.entries(a.form).map(([k, v]) => [k, typed(v) ?? '']));
        const out = STAGE_ACTIONS.has(a.action)
          ? stageCardAction(ctx, item, input)
          : CHANGE_ACTIONS.has(a.action)
            ? changeCardAction(ctx, item, input)
            : SURVEY_ACTIONS.has(a.action)
              ? surveyCardAction(ctx, item, input, form)
              : DELAY_ACTIONS.has(a.action)
                ? delayCardAction(ctx, item, input)
              : SUB_ACTIONS.has(a.action)
                ? subCardAction(ctx, item, input)
                : act(ctx, spec, item, input);
        const cardKey = a.cardMessageId ? this.d.repo.cardKeyOfMessage(a.platform, a.cardMessageId) : undefined;
        if (!out.ok && 'repeat' in out && out.repeat) {
          const current = cardKey ? this.d.repo.queuedCard(cardKey, 0) : undefined;
          return { ok: true, toast: out.message, ...(current && cardKey ? { card: current, cardKey } : {}) };
        }
        if (!out.ok) {
          // A stale card is answered with the card as it is now (its latest rendering), so that
          // the clicker can act on the current version at once where the platform shows it.
          const current = out.stale && cardKey ? this.d.repo.queuedCard(cardKey, 0) : undefined;
          return { ok: false, toast: out.message, ...(current && cardKey ? { card: current, cardKey } : {}) };
        }
        if (replay) this.d.repo.claimMessage(a.platform, replay, ctx.now.getTime());
        // The clicked card as it now looks, so platforms that answer a click with a card
        // (Feishu) show the change at once; the outbox update follows for everyone else.
        const card = cardKey ? this.d.repo.queuedCard(cardKey, before) : undefined;
        return { ok: true, toast: out.toast, ...(card && cardKey ? { card, cardKey } : {}) };
      });
    } catch (err) {
      this.d.log.error({ err, chatId: a.chatId, itemId: a.itemId, action: a.action }, 'card action failed');
      result = { ok: false, toast: '⚠️ 内部错误，请稍后重试。' };
    }
    end?.();
    this.d.onOutbox?.();
    return result;
  }

  private run(ctx: Ctx, cmd: Command): void {
    switch (cmd.name) {
      case 'help':
        return reply(ctx, helpText(cmd.topic) ?? `没有名为「${cmd.topic}」的命令。发送 /帮助 查看全部命令。`);
      case 'req':
        return void createRequest(ctx, cmd);
      case 'task':
        return this.newTask(ctx, cmd);
      case 'ask':
      case 'note':
      case 'issue':
      case 'minutes':
        return this.newRecord(ctx, cmd);
      case 'setup':
        return setupChat(ctx, cmd);
      case 'link':
        return cmd.code ? acceptLink(ctx, cmd.code, cmd.external === true) : offerLink(ctx);
      case 'unlink':
        return removeLink(ctx);
      case 'members':
        return listMembers(ctx);
      case 'list':
        return listItems(ctx, cmd.filter);
      case 'report':
        return cmd.id === undefined ? postReport(ctx) : this.requestReport(ctx, cmd.id);
      case 'show':
        return showItem(ctx, cmd.id);
      case 'export':
        if (!this.d.exportLink) return reply(ctx, '导出功能未启用。');
        // An archive link is scoped to this chat: one for another group's item would only 404.
        if (cmd.id !== undefined && !reachable(ctx, this.d.repo.getItem(cmd.id))) {
          return reply(ctx, `找不到事项 #${cmd.id}：只能归档本群的事项。\n(No item #${cmd.id} in this group — only this group's items can be exported.)`);
        }
        return reply(ctx, this.d.exportLink(ctx, cmd));
      default:
        return this.onItem(ctx, cmd);
    }
  }

  /** Commands that act on an existing item `#N` of this chat. */
  private onItem(ctx: Ctx, cmd: Extract<Command, { id: number }>): void {
    const item = this.d.repo.getItem(cmd.id);
    if (!reachable(ctx, item)) return reply(ctx, `找不到事项 #${cmd.id}（只能操作本群的事项）。`);
    switch (cmd.name) {
      case 'due':
        return changeDue(ctx, item, cmd);
      case 'assign':
        return changeOwner(ctx, item, cmd);
      case 'contact':
        return changeContact(ctx, item, cmd);
      case 'retro':
        return addRetro(ctx, item, cmd);
      case 'show':
        return showItem(ctx, cmd.id);
      case 'stage':
        return showStage(ctx, item);
      case 'done':
        return completeStage(ctx, item, cmd);
      case 'skip':
        return skipStage(ctx, item, cmd);
      case 'change':
        return fileChange(ctx, item, cmd);
      case 'survey':
        return sendSurvey(ctx, item, cmd);
      case 'delay':
        return 'answer' in cmd ? answerDelay(ctx, item, cmd) : fileDelay(ctx, item, cmd);
      case 'milestone':
        return createMilestone(ctx, item, cmd);
    }
    const input = commandInput(cmd);
    // "/关闭" means the closing step of each kind: verify a problem, accept a task.
    if (input?.action === 'close' && item.kind === 'issue') input.action = 'verify';
    if (input?.action === 'close' && item.kind === 'task') input.action = 'accept';
    // "/补充" asks for more information, or — on a question or problem waiting for it — gives it.
    if (input?.action === 'needinfo' && item.state === 'info') input.action = 'supply';
    const spec = SPECS[item.kind];
    if (!spec || !input) return reply(ctx, `${KIND_LABEL[item.kind] ?? item.kind} #${item.id} 不支持 /${cmd.name}。`, item.id);
    const out: Outcome = act(ctx, spec, item, input);
    reply(ctx, out.ok ? out.toast : out.message, item.id);
  }

  private requestReport(ctx: Ctx, id: number): void {
    const item = this.d.repo.getItem(id);
    if (!reachable(ctx, item)) return reply(ctx, `找不到事项 #${id}（只能操作本群的事项）。`);
    progressReport(ctx, item);
  }

  /** A problem, question, note or minutes, filed under the request it names (or the group's only open one). */
  private newRecord(ctx: Ctx, cmd: Extract<Command, { name: 'ask' | 'note' | 'issue' | 'minutes' }>): void {
    const a = attachment(ctx, cmd.requestId, commandSpec(cmd.name).zh[0]!);
    if (!a.ok) return reply(ctx, `❌ ${a.error}`);
    const parentId = a.value.request?.id;
    if (cmd.name === 'note') return void createNote(ctx, cmd, parentId, a.value.note);
    const item =
      cmd.name === 'ask'
        ? createAsk(ctx, cmd.to, cmd.question, cmd.urgent, parentId)
        : cmd.name === 'issue'
          ? createIssue(ctx, cmd, parentId)
          : createMinutes(ctx, cmd, parentId);
    if (a.value.note) reply(ctx, `${KIND_LABEL[item.kind] ?? item.kind} ${itemRef(item.id)} ${a.value.note}`, item.id);
  }

  private newTask(ctx: Ctx, cmd: Extract<Command, { name: 'task' }>): void {
    if (cmd.id !== undefined) {
      const parent = this.d.repo.getItem(cmd.id);
      if (!reachable(ctx, parent)) return reply(ctx, `找不到事项 #${cmd.id}（只能在本群的需求下分解任务）。`);
      if (['closed', 'cancelled'].includes(parent.state)) return reply(ctx, `#${cmd.id} 已结束，不能再分解任务。`);
    }
    createTask(ctx, { title: cmd.title, owner: cmd.owner, helpers: cmd.helpers, due: cmd.due, std: cmd.std, parentId: cmd.id, source: 'task' });
  }

  private ctx(platform: Ctx['platform'], chatId: string, actor: UserRef, messageId?: string): Ctx {
    return {
      repo: this.d.repo,
      config: this.d.config,
      calendar: this.d.calendar,
      now: this.d.clock.now(),
      platform,
      chatId,
      actor,
      messageId,
    };
  }

  private remember(chatId: string, platform: string, chatName: string | undefined, people: UserRef[]): void {
    const t = this.d.clock.now().getTime();
    this.d.repo.ensureChat(chatId, platform, chatName);
    for (const u of people) if (u.name && u.name !== u.id) this.d.repo.upsertUser(u.id, u.name, t);
    // A group's members are the people who spoke or clicked there (the first of `people`): a
    // mention alone does not say where someone is (the sandbox lets anyone @ anyone).
    if (people[0]) this.d.repo.links.seen(chatId, people[0].id, t);
  }

  /** One transaction: the change, its audit and outbox rows, and its re-planned reminders. */
  private inTx<T>(fn: () => T): T {
    return this.d.repo.tx(() => {
      this.d.repo.takeTouched();
      const out = fn();
      for (const id of this.d.repo.takeTouched()) this.d.replan?.(id);
      return out;
    });
  }

  private safeReply(ctx: Ctx, text: string): void {
    try {
      this.d.repo.tx(() => reply(ctx, text));
    } catch (err) {
      this.d.log.error({ err }, 'could not even store the error reply');
    }
  }
}

/** The action a lifecycle command asks for, in the shape `act` takes. */
function commandInput(cmd: Command): ActInput | undefined {
  switch (cmd.name) {
    case 'progress':
      return { action: 'progress', pct: cmd.pct, risk: cmd.risk, plan: cmd.plan, text: cmd.note };
    case 'reply':
      return { action: 'reply', text: cmd.answer };
    case 'more':
      return { action: 'needinfo', text: cmd.text };
    case 'resolve':
      return { action: 'resolve', text: cmd.result, evidence: cmd.evidence };
    case 'submit':
      return { action: 'submit', text: cmd.deliverable, evidence: cmd.evidence };
    case 'close':
      return { action: 'close' };
    case 'cancel':
      return { action: 'cancel', reason: cmd.reason };
    case 'reopen':
      return { action: 'reopen', reason: cmd.reason };
    default:
      return undefined;
  }
}

/** A card form value: trimmed, undefined when empty, and never a mention token. */
function typed(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t ? defuseTokens(t) : undefined;
}
