// Fan-out caps: every person a command names becomes a card, reminders and a mention (a request
// posts one confirmation card per contact and refreshes them all on each answer), so a command
// naming hundreds of people would flood the group for minutes. Beyond a cap it is refused as an
// expected mistake, naming the limit, before anything is created.

import type { UserRef } from '../domain/chat.ts';
import { fail } from './result.ts';
import type { Command, ParseResult } from './types.ts';

export interface FanOutLimits {
  /** People in one role of an item (contacts, people asked, helpers, attendees). */
  peoplePerItem: number;
  /** Different people @-mentioned in one command message. */
  mentionsPerMessage: number;
}

/** The group of people of a command that one item keeps in a role, with its name zh / en. */
function roleGroup(cmd: Command): { users: UserRef[]; zh: string; en: string } | undefined {
  switch (cmd.name) {
    case 'req':
      return { users: cmd.to, zh: '对接人', en: 'contacts' };
    case 'ask':
      return { users: cmd.to, zh: '提问对象', en: 'people asked' };
    case 'task':
      return { users: cmd.helpers, zh: '协作人', en: 'helpers' };
    case 'minutes':
      return { users: cmd.attendees, zh: '参会人', en: 'attendees' };
    default:
      return undefined;
  }
}

/** Everyone the command names. */
function usersOf(cmd: Command): UserRef[] {
  switch (cmd.name) {
    case 'req':
    case 'ask':
      return cmd.to;
    case 'task':
      return [cmd.owner, ...cmd.helpers];
    case 'minutes':
      return [...cmd.attendees, ...cmd.decisions.map((d) => d.owner)];
    case 'note':
      return cmd.todos.map((t) => t.owner);
    case 'issue':
      return [cmd.owner];
    case 'contact':
      return [cmd.user];
    case 'assign':
      return [cmd.to];
    default:
      return [];
  }
}

/** The parse result, or a refusal when the command names more people than the limits allow. */
export function withinLimits<T extends ParseResult | null>(parsed: T, limits: FanOutLimits): T | ParseResult {
  if (!parsed?.ok) return parsed;
  const cmd = parsed.command;
  const group = roleGroup(cmd);
  const distinct = (users: UserRef[]) => new Set(users.map((u) => u.id)).size;
  if (group && distinct(group.users) > limits.peoplePerItem) {
    const n = distinct(group.users);
    return fail(
      cmd.name,
      `一次最多 @${limits.peoplePerItem} 位${group.zh}（这次有 ${n} 位），请精简或拆成几条。/ At most ${limits.peoplePerItem} ${group.en} per item (this names ${n}).`,
    );
  }
  const mentioned = distinct(usersOf(cmd));
  if (mentioned > limits.mentionsPerMessage) {
    return fail(
      cmd.name,
      `一条命令最多 @${limits.mentionsPerMessage} 人（这条有 ${mentioned} 人），请拆成几条。/ At most ${limits.mentionsPerMessage} people mentioned per command (this names ${mentioned}).`,
    );
  }
  return parsed;
}

/** The refusal when adding one more person in a role would go over the limit, else undefined. */
export function roleFull(count: number, limits: FanOutLimits, zh: string, en: string): string | undefined {
  if (count < limits.peoplePerItem) return undefined;
  return `已有 ${count} 位${zh}，每项最多 ${limits.peoplePerItem} 位。/ This item already has the most ${en} allowed (${limits.peoplePerItem}).`;
}
