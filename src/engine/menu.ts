// The bot menu: 发起需求 (the request form), 我的待办 (the person's open items), 本周周报. A
// Feishu menu click names no chat, so the bot answers in the person's private chat with it and
// the form asks which group the request is for; a menu text sent in a group (how DingTalk's
// robot shortcuts and the sandbox reach it) is answered in that group.

import type { MenuEvent } from '../domain/chat.ts';
import { type Ctx, nowMs, say } from './context.ts';
import { formCard, groupOptions, postForm } from './forms.ts';
import { listItems, myTodoText, postReport, weeklyReportCard } from './queries.ts';

export type MenuAction = 'new_request' | 'my_todo' | 'weekly_report';

/** Event keys to set in the developer console, and the texts that do the same in a group. */
export const MENU: Readonly<Record<MenuAction, { label: string; keys: readonly string[] }>> = {
  new_request: { label: '发起需求', keys: ['new_request', '发起需求'] },
  my_todo: { label: '我的待办', keys: ['my_todo', '我的待办'] },
  weekly_report: { label: '本周周报', keys: ['weekly_report', '本周周报', '周报'] },
};

/** The menu action a key (or a text addressed to the bot) stands for. */
export function menuAction(key: string): MenuAction | undefined {
  const k = key.trim().toLowerCase();
  return (Object.keys(MENU) as MenuAction[]).find((a) => MENU[a].keys.includes(k));
}

/** The private chat with a person: on the platforms we serve, addressed by the person's id. */
export function privateChat(ev: Pick<MenuEvent, 'actor'>): string {
  return ev.actor.id;
}

/** Groups a private answer covers at most (the most recently joined first). */
const MAX_GROUPS = 5;

/**
 * Runs a menu action. `ctx.chatId` is the group it was sent in, or the private chat (`inGroup`
 * false), where each answer covers the groups the person is in.
 */
export function runMenu(ctx: Ctx, action: MenuAction, inGroup: boolean): void {
  if (inGroup) {
    if (action === 'new_request') postForm(ctx, 'req');
    else if (action === 'my_todo') listItems(ctx, 'mine');
    else postReport(ctx);
    return;
  }
  const groups = ctx.repo.links.groupsOf(ctx.actor.id, ctx.platform);
  if (!groups.length) {
    say(ctx, `你还不在有协作助手的群里：请在项目群里 @协作助手 发送 /需求 或 /帮助。`);
    return;
  }
  switch (action) {
    case 'new_request': {
      const card = formCard('req', ctx.actor, groupOptions(ctx.repo, ctx.actor.id, ctx.platform, groups));
      ctx.repo.enqueue({ platform: ctx.platform, chatId: ctx.chatId, body: { type: 'card', card, cardKey: `form:${ctx.chatId}:${nowMs(ctx)}` } }, nowMs(ctx));
      return;
    }
    case 'my_todo':
      say(ctx, myTodoText(ctx, ctx.actor.id, groups));
      return;
    case 'weekly_report': {
      let sent = 0;
      for (const chatId of groups.slice(0, MAX_GROUPS)) {
        const card = weeklyReportCard(ctx.repo, ctx.calendar, ctx.config, chatId, ctx.now);
        if (!card) continue;
        ctx.repo.enqueue({ platform: ctx.platform, chatId: ctx.chatId, body: { type: 'card', card, cardKey: `report:${ctx.chatId}:${chatId}:${nowMs(ctx)}` } }, nowMs(ctx));
        sent++;
      }
      if (!sent) say(ctx, '📊 你所在的群本周没有进行中的事项。');
      else if (groups.length > MAX_GROUPS) say(ctx, `另有 ${groups.length - MAX_GROUPS} 个群未列出：请在那个群里发送 /周报。`);
    }
  }
}
