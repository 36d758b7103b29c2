// The request (需求) lifecycle, declared as one table:
// 待确认 → 进行中 → 待验收 → 已验收 → 已关闭, with 有异议, 需整改 (驳回) and 已取消.

import { decide, type Transition } from './machine.ts';

export const REQUEST_STATES = ['pending', 'objected', 'active', 'review', 'rework', 'accepted', 'closed', 'cancelled'] as const;
export type RequestState = (typeof REQUEST_STATES)[number];

export const REQUEST_ACTIONS = ['confirm', 'object', 'submit', 'accept', 'reject', 'close', 'cancel', 'reopen'] as const;
export type RequestAction = (typeof REQUEST_ACTIONS)[number];

/**
 * initiator: raised the request. pendingContact: a contact who has not confirmed yet (or objected).
 * contact: any contact of the request (may deliver).
 */
export type RequestRole = 'initiator' | 'contact' | 'pendingContact';

export type RequestGuard =
  /** After this confirmation every contact has confirmed. */
  | 'lastConfirmation'
  /** After this confirmation someone else still objects. */
  | 'objectionsRemain'
  /** After this confirmation nobody objects, but some have not confirmed yet. */
  | 'confirmationsRemain'
  | 'hasReason'
  | 'hasReasonAndDate';

type Row = Transition<RequestState, RequestAction, RequestRole, RequestGuard>;

const OPEN: RequestState[] = ['pending', 'objected', 'active', 'review', 'rework'];

export const REQUEST_TRANSITIONS: readonly Row[] = [
  { from: ['pending', 'objected'], action: 'confirm', to: 'active', who: ['pendingContact'], guard: 'lastConfirmation' },
  { from: ['pending', 'objected'], action: 'confirm', to: 'objected', who: ['pendingContact'], guard: 'objectionsRemain' },
  { from: ['pending', 'objected'], action: 'confirm', to: 'pending', who: ['pendingContact'], guard: 'confirmationsRemain' },
  { from: ['pending', 'objected'], action: 'object', to: 'objected', who: ['pendingContact'], guard: 'hasReason' },
  { from: ['active', 'rework'], action: 'submit', to: 'review', who: ['contact'] },
  { from: ['review'], action: 'accept', to: 'accepted', who: ['initiator'] },
  { from: ['review'], action: 'reject', to: 'rework', who: ['initiator'], guard: 'hasReasonAndDate' },
  { from: ['accepted'], action: 'close', to: 'closed', who: ['initiator'] },
  { from: OPEN, action: 'cancel', to: 'cancelled', who: ['initiator'] },
  { from: ['closed', 'cancelled'], action: 'reopen', to: 'active', who: ['initiator'] },
];

export interface RequestFacts {
  roles: ReadonlySet<RequestRole>;
  /** Contact statuses as they would be after this action (for confirm guards). */
  contactsAfter: ReadonlyArray<'pending' | 'confirmed' | 'objected'>;
  reason?: string;
  newDue?: Date;
}

export function requestGuards(f: Omit<RequestFacts, 'roles'>): Record<RequestGuard, boolean> {
  const after = f.contactsAfter;
  const reason = !!f.reason?.trim();
  return {
    lastConfirmation: after.every((s) => s === 'confirmed'),
    objectionsRemain: after.includes('objected'),
    confirmationsRemain: !after.includes('objected') && after.includes('pending'),
    hasReason: reason,
    hasReasonAndDate: reason && f.newDue !== undefined,
  };
}

export function decideRequest(state: RequestState, action: RequestAction, f: RequestFacts) {
  return decide(REQUEST_TRANSITIONS, state, action, f.roles, requestGuards(f));
}

export function isRequestState(s: string): s is RequestState {
  return (REQUEST_STATES as readonly string[]).includes(s);
}
