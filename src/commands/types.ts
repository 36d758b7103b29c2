// The parsed command model: what the parser produces and the engine consumes.
// Dates are absolute instants (already resolved in the configured time zone).

import type { UserRef } from '../domain/chat.ts';

export type Priority = 'high' | 'medium' | 'low';
export type Severity = 'normal' | 'major' | 'critical'; // 一般 / 重要 / 紧急
export type ListFilter = 'mine' | 'overdue' | 'open' | 'all';
export type ExportFormat = 'xlsx' | 'csv' | 'md';

export interface Todo {
  text: string;
  owner: UserRef;
  due: Date;
}

export interface Decision {
  text: string;
  owner: UserRef;
  due: Date;
}

export type Command =
  | { name: 'help'; topic?: string }
  | {
      name: 'req';
      title: string;
      to: UserRef[];
      due: Date;
      pri: Priority;
      std?: string;
      background?: string;
      urgency?: 'urgent' | 'normal' | 'low';
      /** The collaboration type as typed (客户, customer…); the engine knows the configured types. */
      type?: string;
      /** The customer's, supplier's or partner's name. */
      counterparty?: string;
      /** The request's own leader (负责人), over the group's. */
      lead?: UserRef;
    }
  /** `processRole`: a role a collaboration type brings (法务, 客户对接人…), given instead of 主/子. */
  | {
      name: 'contact';
      id: number;
      user: UserRef;
      role: 'main' | 'sub';
      processRole?: string;
      duty?: string;
      external?: string;
      /** `role:总` written out: the person replaces the 总对接人 of a side instead of adding a side. */
      replace?: true;
      /** `方:@X`: the side whose 总对接人 is X. */
      side?: UserRef;
      reason?: string;
    }
  | { name: 'task'; id?: number; title: string; owner: UserRef; helpers: UserRef[]; due: Date; std?: string }
  | { name: 'progress'; id: number; pct: number; risk?: string; plan?: string; note?: string }
  /** `requestId`: the request `#N` the record was filed under, when the user wrote one (also note, issue, minutes). */
  | { name: 'ask'; to: UserRef[]; question: string; urgent: boolean; requestId?: number }
  | { name: 'reply'; id: number; answer: string }
  | { name: 'more'; id: number; text: string }
  | { name: 'note'; text: string; urgent: boolean; todos: Todo[]; requestId?: number; internal?: true }
  | { name: 'issue'; text: string; severity: Severity; owner: UserRef; due: Date; impact?: string; requestId?: number; internal?: true }
  | { name: 'resolve'; id: number; result: string; evidence?: string }
  | { name: 'minutes'; topic: string; time?: Date; place?: string; attendees: UserRef[]; agenda: string[]; decisions: Decision[]; requestId?: number }
  | { name: 'submit'; id: number; deliverable: string; evidence?: string }
  | { name: 'close'; id: number }
  | { name: 'reopen'; id: number; reason?: string }
  | { name: 'cancel'; id: number; reason?: string }
  | { name: 'due'; id: number; due: Date; reason: string }
  | { name: 'assign'; id: number; to: UserRef; reason?: string }
  | { name: 'retro'; id: number; good?: string; bad?: string; improve?: string }
  | { name: 'list'; filter: ListFilter }
  | { name: 'show'; id: number }
  /** With an id: that request's progress report for its customer or partner (已完成 / 进行中 / 下一步 / 需配合). */
  | { name: 'report'; id?: number }
  | { name: 'export'; id?: number; format: ExportFormat }
  /** Binds the project (both), names the leader, or — with neither — shows the group's settings. */
  | { name: 'setup'; project?: string; dept?: string; lead?: UserRef }
  /** `/关联` alone asks for a code; with one it links this group (`external`: as 外部). */
  | { name: 'link'; code?: string; external?: boolean }
  | { name: 'unlink' }
  | { name: 'members' }
  | { name: 'stage'; id: number }
  /** `text` may start with the stage's name; the engine, which knows the request's type, splits it off. */
  /** `text` empty and no evidence: the stage's form is wanted. */
  | { name: 'done'; id: number; text: string; evidence?: string }
  | { name: 'skip'; id: number; stage: string; reason: string }
  | { name: 'change'; id: number; what: string; reason: string }
  | { name: 'survey'; id: number }
  /** The owner files a 延期说明 (a new date with reason and plan), or the initiator answers the pending one. */
  | { name: 'delay'; id: number; due: Date; reason: string; plan: string }
  | { name: 'delay'; id: number; answer: 'approve' | 'refuse'; reason?: string }
  | { name: 'milestone'; id: number; title: string; at: Date; major: boolean };

export type CommandName = Command['name'];

/** The parser's answer: a command, or a Chinese explanation of what was wrong plus usage. */
export type ParseResult =
  | { ok: true; command: Command }
  | { ok: false; error: string; usage?: string; command?: CommandName };

export interface ParseContext {
  /** "Now", injected (never read from the global clock). */
  now: Date;
  /** IANA zone, e.g. "Asia/Shanghai". */
  timezone: string;
  /** Time of day a date without a time means, "HH:mm" (default "18:00"). */
  defaultDueTime: string;
  /** Mentions the platform resolved (the text holds `<@id>` tokens for them). */
  mentions: UserRef[];
  /** Resolves a plain-text `@name` the platform did not resolve; undefined when unknown. */
  /** A typed @name: the person, or the candidates' descriptions when several share the name. */
  resolveName: (name: string) => UserRef | { candidates: string[] } | undefined;
}
