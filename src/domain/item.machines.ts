// Transition tables of the other item kinds: tasks, questions (asks), problems (issues) and
// minutes. Same shape as the request table; one pure `decide` serves them all.

import type { Transition } from './machine.ts';

// ── Tasks (任务): 待开始 → 进行中 → 待验收 → 已完成, 驳回 back to 进行中 ─────────────────────────────
export const TASK_STATES = ['todo', 'doing', 'review', 'done', 'cancelled'] as const;
export type TaskState = (typeof TASK_STATES)[number];
export const TASK_ACTIONS = ['progress', 'submit', 'accept', 'reject', 'cancel', 'reopen'] as const;
export type TaskAction = (typeof TASK_ACTIONS)[number];
/** owner: accountable; helper: helps; reviewer: who assigned it and accepts the delivery. */
export type TaskRole = 'owner' | 'helper' | 'reviewer';
/** hasReasonAndDate: a rejected delivery names what to change and by when (a new date). */
export type TaskGuard = 'hasReasonAndDate';

export const TASK_TRANSITIONS: readonly Transition<TaskState, TaskAction, TaskRole, TaskGuard>[] = [
  { from: ['todo', 'doing'], action: 'progress', to: 'doing', who: ['owner', 'helper'] },
  { from: ['todo', 'doing'], action: 'submit', to: 'review', who: ['owner'] },
  { from: ['review'], action: 'accept', to: 'done', who: ['reviewer'] },
  { from: ['review'], action: 'reject', to: 'doing', who: ['reviewer'], guard: 'hasReasonAndDate' },
  { from: ['todo', 'doing', 'review'], action: 'cancel', to: 'cancelled', who: ['reviewer'] },
  { from: ['done', 'cancelled'], action: 'reopen', to: 'doing', who: ['reviewer'] },
];

// ── Questions (反馈): 待回复 → 已回复 | 已取消; 需补充信息 pauses the clock until the asker answers ──
export const ASK_STATES = ['waiting', 'info', 'answered', 'cancelled'] as const;
export type AskState = (typeof ASK_STATES)[number];
export const ASK_ACTIONS = ['reply', 'needinfo', 'supply', 'cancel', 'reopen'] as const;
export type AskAction = (typeof ASK_ACTIONS)[number];
export type AskRole = 'asker' | 'asked';
export type AskGuard = 'hasAnswer' | 'hasText';

export const ASK_TRANSITIONS: readonly Transition<AskState, AskAction, AskRole, AskGuard>[] = [
  { from: ['waiting'], action: 'reply', to: 'answered', who: ['asked'], guard: 'hasAnswer' },
  { from: ['waiting'], action: 'needinfo', to: 'info', who: ['asked'], guard: 'hasText' },
  { from: ['info'], action: 'supply', to: 'waiting', who: ['asker'], guard: 'hasText' },
  { from: ['waiting', 'info'], action: 'cancel', to: 'cancelled', who: ['asker'] },
  { from: ['answered', 'cancelled'], action: 'reopen', to: 'waiting', who: ['asker'] },
];

// ── Problems (问题): 待处理 → 处理中 → 待验证 → 已关闭, 重开 with a reason; 需补充信息 pauses the clock ──
export const ISSUE_STATES = ['open', 'info', 'working', 'verify', 'closed', 'cancelled'] as const;
export type IssueState = (typeof ISSUE_STATES)[number];
export const ISSUE_ACTIONS = ['progress', 'resolve', 'verify', 'reopen', 'cancel', 'needinfo', 'supply'] as const;
export type IssueAction = (typeof ISSUE_ACTIONS)[number];
/** owner fixes; initiator (who raised it) verifies. */
export type IssueRole = 'owner' | 'initiator';
export type IssueGuard = 'hasResult' | 'hasReason' | 'hasText';

export const ISSUE_TRANSITIONS: readonly Transition<IssueState, IssueAction, IssueRole, IssueGuard>[] = [
  { from: ['open', 'working'], action: 'progress', to: 'working', who: ['owner'] },
  { from: ['open', 'working'], action: 'resolve', to: 'verify', who: ['owner'], guard: 'hasResult' },
  { from: ['verify'], action: 'verify', to: 'closed', who: ['initiator'] },
  { from: ['verify', 'closed'], action: 'reopen', to: 'working', who: ['initiator'], guard: 'hasReason' },
  // The owner cannot respond without the initiator's answer: the response clock waits for it.
  { from: ['open'], action: 'needinfo', to: 'info', who: ['owner'], guard: 'hasText' },
  { from: ['info'], action: 'supply', to: 'open', who: ['initiator'], guard: 'hasText' },
  { from: ['open', 'info', 'working', 'verify'], action: 'cancel', to: 'cancelled', who: ['initiator'] },
];

// ── Minutes (会议纪要): 待确认 → 已确认 when every attendee confirmed ────────────────────────────────
/**
 * Who confirms minutes (a pendingAttendee is one of them who has not yet): the attendees, and
 * owners of decisions who did not attend ('assignee': a decision binds its owner, so the owner
 * confirms it in writing too).
 */
export const MINUTES_CONFIRMERS: ReadonlySet<string> = new Set(['attendee', 'assignee']);
export const MINUTES_STATES = ['pending', 'confirmed'] as const;
export type MinutesState = (typeof MINUTES_STATES)[number];
export const MINUTES_ACTIONS = ['confirm'] as const;
export type MinutesAction = (typeof MINUTES_ACTIONS)[number];
export type MinutesRole = 'pendingAttendee';
export type MinutesGuard = 'lastConfirmation' | 'confirmationsRemain';

export const MINUTES_TRANSITIONS: readonly Transition<MinutesState, MinutesAction, MinutesRole, MinutesGuard>[] = [
  { from: ['pending'], action: 'confirm', to: 'confirmed', who: ['pendingAttendee'], guard: 'lastConfirmation' },
  { from: ['pending'], action: 'confirm', to: 'pending', who: ['pendingAttendee'], guard: 'confirmationsRemain' },
];
