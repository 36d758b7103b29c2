// `/设置`: binds the group to a project and department, names the group's leader (负责人), and
// with no options shows what is set, so people can check who escalations reach.

import type { Command } from '../commands/types.ts';
import type { Config } from '../config/schema.ts';
import { defuseTokens } from '../domain/chat.ts';
import { type Ctx, reply } from './context.ts';
import { at } from './format.ts';
import { SET_LEADER_HINT } from './leaders.ts';

type SetupCmd = Extract<Command, { name: 'setup' }>;

export function setupChat(ctx: Ctx, cmd: SetupCmd): void {
  const lines: string[] = [];
  if (cmd.project !== undefined && cmd.dept !== undefined) {
    ctx.repo.bindChat(ctx.chatId, cmd.project, cmd.dept);
    lines.push(`✅ 本群已绑定项目「${cmd.project}」，部门「${cmd.dept}」。之后的需求编号形如 ${ctx.calendar.localDay(ctx.now).slice(0, 4)}-${cmd.dept.slice(0, 1)}-001。`);
  }
  if (cmd.lead) {
    const before = ctx.repo.getChat(ctx.chatId)?.leaderId ?? null;
    ctx.repo.setChatLeader(ctx.chatId, cmd.lead.id);
    const was = before && before !== cmd.lead.id ? `（原负责人 ${at(before)}）` : '';
    lines.push(`✅ 本群负责人：${at(cmd.lead.id)}${was}。${chainText(ctx.config)}会议纪要抄送负责人；需求可用 负责人:@某人 另行指定。`);
  }
  if (lines.length === 0) lines.push(settingsText(ctx));
  reply(ctx, lines.join('\n'));
}

/** The escalation chain in the configured numbers of pings. */
export function chainText(config: Pick<Config, 'scheduler'>): string {
  const first = config.scheduler.escalateAfter + 1;
  const leader = first + config.scheduler.leaderAfter;
  return `超时未处理或逾期的事项：先提醒责任人，第 ${first} 次提醒起升级到发起人和总对接人，第 ${leader} 次提醒起升级到负责人。`;
}

function settingsText(ctx: Ctx): string {
  const chat = ctx.repo.getChat(ctx.chatId);
  const project = chat?.project && chat.dept ? `项目「${chat.project}」，部门「${chat.dept}」` : '未绑定项目（/设置 project:<项目名称> dept:<部门>）';
  // Looking the settings up should not ping the leader: the name, as text.
  const name = chat?.leaderId ? defuseTokens(ctx.repo.userNames([chat.leaderId]).get(chat.leaderId) ?? chat.leaderId) : undefined;
  const leader = name ? `负责人 ${name}` : `未设负责人：超时升级只到发起人和总对接人（发送 ${SET_LEADER_HINT} 指定）`;
  return `⚙️ 本群设置：${project}；${leader}。\n${chainText(ctx.config)}`;
}
