// Reads everything an archive shows in one pass: the chat, the items in scope (the whole chat,
// or one item and everything under it), their people and audit rows, and users' names.

import type { Db } from '../db/connection.ts';
import { type ChatRow, type ItemRow, Repo } from '../db/repo.ts';
import { snapshotOf, type SnapshotStore } from '../db/snapshot.ts';
import { collabChats, visibleIn } from '../engine/links.ts';
import type { Snapshot } from './types.ts';

/** An archive that cannot be built for a reason the caller should show (not a crash). */
export class ArchiveError extends Error {
  constructor(
    readonly code: 'item_not_found',
    message: string,
  ) {
    super(message);
    this.name = 'ArchiveError';
  }
}

export interface SnapshotScope {
  chatId: string;
  /** One item (usually a request) and its descendants; the whole chat when absent. */
  itemId?: number;
  /** Only the items created or changed in [from, to) (a month's archive). */
  span?: { from: number; to: number };
  timezone: string;
}

const MENTION = /<@([^<>\s]+)>/g;
const QUALIFIED_ID = /^(?:feishu|dingtalk|sandbox):\S+$/;

export function loadSnapshot(db: Db, scope: SnapshotScope): Snapshot {
  const q = snapshotOf(db);
  const chat = q.chat(scope.chatId);
  // Linked groups archive their whole collaboration, as far as this group may see it.
  const repo = new Repo(db);
  const chatIds = collabChats(repo, scope.chatId);
  const rows = q.items(chatIds);
  const all = chatIds.length === 1 ? rows : rows.filter((i) => visibleIn(repo, scope.chatId, i));
  const inScope = scope.itemId !== undefined ? subtree(all, scope.itemId) : scope.span ? activeIn(q, all, scope.span) : all;
  if (scope.itemId !== undefined && inScope.length === 0) {
    throw new ArchiveError('item_not_found', `本群没有 #${scope.itemId} / item #${scope.itemId} not found in this chat`);
  }
  const ids = inScope.map((i) => i.id);
  const people = groupBy(q.people(ids), (p) => p.itemId);
  const trail = groupBy(q.audit(ids), (a) => a.itemId);

  const userIds = new Set<string>();
  for (const i of inScope) {
    userIds.add(i.initiatorId);
    if (i.ownerId) userIds.add(i.ownerId);
    collectIds(i.data, userIds);
    collectIds(i.title, userIds);
  }
  for (const list of people.values()) for (const p of list) userIds.add(p.userId);
  for (const list of trail.values()) {
    for (const a of list) {
      userIds.add(a.actorId);
      collectIds(a.detail, userIds);
    }
  }
  const names = new Map(q.users([...userIds]).map((u) => [u.id, u.name]));
  const name = (id: string | null | undefined) => (id ? (names.get(id) ?? id) : '');
  const plain = (text: unknown) =>
    typeof text === 'string' ? text.replace(MENTION, (_m, id: string) => `@${name(id)}`) : text === null || text === undefined ? '' : String(text);

  return {
    chatId: scope.chatId,
    chat,
    project: projectName(chat),
    items: inScope,
    byId: new Map(inScope.map((i) => [i.id, i])),
    people: (id) => people.get(id) ?? [],
    audit: (id) => trail.get(id) ?? [],
    name,
    plain,
    timezone: scope.timezone,
  };
}

/** The project an archive is named by: the /setup binding, else the chat name. */
export function projectName(chat: Pick<ChatRow, 'project' | 'name'> | undefined): string {
  return chat?.project?.trim() || chat?.name?.trim() || '未命名项目';
}

/** The items created in the span or with an audit row (any change) in it. */
function activeIn(q: SnapshotStore, all: ItemRow[], span: { from: number; to: number }): ItemRow[] {
  const changed = new Set(q.changedIn(all.map((i) => i.id), span.from, span.to));
  return all.filter((i) => (i.createdAt >= span.from && i.createdAt < span.to) || changed.has(i.id));
}

/** The item with `rootId` and every item whose parent chain leads to it. */
function subtree(all: ItemRow[], rootId: number): ItemRow[] {
  if (!all.some((i) => i.id === rootId)) return [];
  const children = groupBy(
    all.filter((i) => i.parentId !== null),
    (i) => i.parentId!,
  );
  const keep = new Set<number>([rootId]);
  const queue = [rootId];
  while (queue.length) {
    for (const c of children.get(queue.shift()!) ?? []) {
      if (keep.has(c.id)) continue;
      keep.add(c.id);
      queue.push(c.id);
    }
  }
  return all.filter((i) => keep.has(i.id));
}

function groupBy<T, K>(rows: T[], key: (r: T) => K): Map<K, T[]> {
  const m = new Map<K, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = m.get(k);
    if (list) list.push(r);
    else m.set(k, [r]);
  }
  return m;
}

/** Every user id mentioned anywhere in a JSON value: qualified ids and `<@id>` tokens. */
function collectIds(v: unknown, out: Set<string>): void {
  if (typeof v === 'string') {
    if (QUALIFIED_ID.test(v)) out.add(v);
    for (const m of v.matchAll(MENTION)) out.add(m[1]!);
  } else if (Array.isArray(v)) {
    for (const x of v) collectIds(x, out);
  } else if (v && typeof v === 'object') {
    for (const x of Object.values(v)) collectIds(x, out);
  }
}
