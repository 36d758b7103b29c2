// The leader (负责人) of a request or a group: the last step of every escalation, and the person
// copied (抄送) on minutes and the monthly summary. A request's own leader — named with
// `/需求 … 负责人:@X` or `/对接 #N @X role:负责人`, the same process role either way — overrides
// the group's (`/设置 负责人:@X`); with neither there is no leader, and escalation stops at the
// initiator and the side's 总对接人.

import type { PersonBrief } from '../db/repo.ts';
import { roleKey } from './processes.ts';

/** How a request's leader is stored among its people. */
export const LEADER_ROLE = roleKey('leader');

/** What finding a leader reads: the Repo, or a scheduler tick's batch. */
export interface LeaderSource {
  getChat(id: string): { leaderId: string | null } | undefined;
  people(itemId: number): ReadonlyArray<Pick<PersonBrief, 'userId' | 'role'>>;
}

/** The request's own leader, if it names one. */
export function requestLeader(people: ReadonlyArray<Pick<PersonBrief, 'userId' | 'role'>>): string | undefined {
  return people.find((p) => p.role === LEADER_ROLE)?.userId;
}

/** The group's leader, if one is set. */
export function groupLeader(repo: Pick<LeaderSource, 'getChat'>, chatId: string): string | undefined {
  return repo.getChat(chatId)?.leaderId ?? undefined;
}

/**
 * Who leads `request` (an id or a request row) in `chatId`: the request's own leader, else the
 * group's; undefined when neither is set.
 */
export function leaderOf(repo: LeaderSource, chatId: string, request?: number | { id: number }): string | undefined {
  const id = typeof request === 'number' ? request : request?.id;
  return (id === undefined ? undefined : requestLeader(repo.people(id))) ?? groupLeader(repo, chatId);
}

/** Where a reply tells people how to name a leader. */
export const SET_LEADER_HINT = '/设置 负责人:@某人';
