import { describe, expect, it } from 'vitest';
import {
  REQUEST_ACTIONS,
  REQUEST_STATES,
  REQUEST_TRANSITIONS,
  type RequestAction,
  type RequestFacts,
  type RequestRole,
  type RequestState,
  decideRequest,
} from '../../src/domain/request.machine.ts';

const roles = (...r: RequestRole[]) => new Set<RequestRole>(r);
const facts = (over: Partial<RequestFacts> = {}): RequestFacts => ({
  roles: roles(),
  contactsAfter: ['confirmed'],
  ...over,
});

// One case per row of the table: the facts that make that row fire, and the state it leads to.
const rowCases: Array<[RequestState, RequestAction, RequestFacts, RequestState]> = [
  ['pending', 'confirm', facts({ roles: roles('pendingContact', 'contact'), contactsAfter: ['confirmed', 'confirmed'] }), 'active'],
  ['objected', 'confirm', facts({ roles: roles('pendingContact', 'contact'), contactsAfter: ['confirmed', 'confirmed'] }), 'active'],
  ['pending', 'confirm', facts({ roles: roles('pendingContact'), contactsAfter: ['confirmed', 'objected'] }), 'objected'],
  ['objected', 'confirm', facts({ roles: roles('pendingContact'), contactsAfter: ['confirmed', 'objected'] }), 'objected'],
  ['pending', 'confirm', facts({ roles: roles('pendingContact'), contactsAfter: ['confirmed', 'pending'] }), 'pending'],
  ['objected', 'confirm', facts({ roles: roles('pendingContact'), contactsAfter: ['confirmed', 'pending'] }), 'pending'],
  ['pending', 'object', facts({ roles: roles('pendingContact'), reason: '接口文档未定' }), 'objected'],
  ['objected', 'object', facts({ roles: roles('pendingContact'), reason: '还有问题' }), 'objected'],
  ['active', 'submit', facts({ roles: roles('contact') }), 'review'],
  ['rework', 'submit', facts({ roles: roles('contact') }), 'review'],
  ['review', 'accept', facts({ roles: roles('initiator') }), 'accepted'],
  ['review', 'reject', facts({ roles: roles('initiator'), reason: '缺少压测', newDue: new Date() }), 'rework'],
  ['accepted', 'close', facts({ roles: roles('initiator') }), 'closed'],
  ...(['pending', 'objected', 'active', 'review', 'rework'] as const).map(
    (s) => [s, 'cancel', facts({ roles: roles('initiator') }), 'cancelled'] as [RequestState, RequestAction, RequestFacts, RequestState],
  ),
  ['closed', 'reopen', facts({ roles: roles('initiator') }), 'active'],
  ['cancelled', 'reopen', facts({ roles: roles('initiator') }), 'active'],
];

describe('request transition table', () => {
  it.each(rowCases)('%s --%s--> %s', (from, action, f, to) => {
    expect(decideRequest(from, action, f)).toMatchObject({ ok: true, to });
  });

  it('every (from, action) pair of the table is covered by a case above', () => {
    const covered = new Set(rowCases.map(([s, a]) => `${s}:${a}`));
    for (const row of REQUEST_TRANSITIONS) for (const s of row.from) expect(covered).toContain(`${s}:${row.action}`);
  });

  it('refuses every action by someone without the role, naming who may act', () => {
    for (const row of REQUEST_TRANSITIONS) {
      for (const s of row.from) {
        const d = decideRequest(s, row.action, facts({ roles: roles(), reason: 'r', newDue: new Date() }));
        expect(d).toEqual({ ok: false, reason: 'forbidden', who: row.who });
      }
    }
  });

  it('a confirmed contact (no longer pending) cannot confirm or object again', () => {
    expect(decideRequest('pending', 'confirm', facts({ roles: roles('contact') }))).toMatchObject({ ok: false, reason: 'forbidden' });
    expect(decideRequest('pending', 'object', facts({ roles: roles('contact'), reason: 'x' }))).toMatchObject({ ok: false, reason: 'forbidden' });
  });

  it('the initiator cannot deliver, and a contact cannot accept, reject or close', () => {
    expect(decideRequest('active', 'submit', facts({ roles: roles('initiator') }))).toMatchObject({ reason: 'forbidden' });
    for (const a of ['accept', 'reject'] as const) {
      expect(decideRequest('review', a, facts({ roles: roles('contact'), reason: 'x', newDue: new Date() }))).toMatchObject({ reason: 'forbidden' });
    }
    expect(decideRequest('accepted', 'close', facts({ roles: roles('contact') }))).toMatchObject({ reason: 'forbidden' });
  });

  it('an objection needs a reason; a rejection needs a reason and a new date', () => {
    expect(decideRequest('pending', 'object', facts({ roles: roles('pendingContact'), reason: '  ' }))).toEqual({
      ok: false,
      reason: 'guard',
      guard: 'hasReason',
    });
    expect(decideRequest('review', 'reject', facts({ roles: roles('initiator'), reason: '缺少压测' }))).toEqual({
      ok: false,
      reason: 'guard',
      guard: 'hasReasonAndDate',
    });
    expect(decideRequest('review', 'reject', facts({ roles: roles('initiator'), newDue: new Date() }))).toMatchObject({ reason: 'guard' });
  });

  it('every state × action pair outside the table is not allowed, whoever acts', () => {
    const all = roles('initiator', 'contact', 'pendingContact');
    let checked = 0;
    for (const s of REQUEST_STATES) {
      for (const a of REQUEST_ACTIONS) {
        if (REQUEST_TRANSITIONS.some((r) => r.action === a && r.from.includes(s))) continue;
        expect(decideRequest(s, a, facts({ roles: all, reason: 'r', newDue: new Date() }))).toEqual({ ok: false, reason: 'not_allowed' });
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(30);
  });
});
