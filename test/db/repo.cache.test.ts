import { describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../src/db/connection.ts';
import { Repo } from '../../src/db/repo.ts';

describe('Repo write-through caches (names, chats)', () => {
  it('skips rewriting an unchanged name but writes a new one', () => {
    const db = openTestDatabase();
    const repo = new Repo(db);
    repo.upsertUser('sandbox:lisi', '李四', 1);
    repo.upsertUser('sandbox:lisi', '李四', 2);
    const row = () => db.$client.prepare('select name, updated_at as at from users where id = ?').get('sandbox:lisi');
    expect(row()).toEqual({ name: '李四', at: 1 });
    repo.upsertUser('sandbox:lisi', '李四(测试)', 3);
    expect(row()).toEqual({ name: '李四(测试)', at: 3 });
    expect(repo.userNames(['sandbox:lisi', 'sandbox:nobody'])).toEqual(new Map([['sandbox:lisi', '李四(测试)']]));
  });

  it('forgets what a rolled-back transaction wrote', () => {
    const db = openTestDatabase();
    const repo = new Repo(db);
    expect(() =>
      repo.tx(() => {
        repo.upsertUser('sandbox:wangwu', '王五', 1);
        repo.ensureChat('sandbox:g9', 'sandbox', '项目群');
        throw new Error('boom');
      }),
    ).toThrow('boom');
    // Nothing was stored, so the same writes must really happen now.
    repo.upsertUser('sandbox:wangwu', '王五', 2);
    repo.ensureChat('sandbox:g9', 'sandbox', '项目群');
    expect(db.$client.prepare('select name from users where id = ?').get('sandbox:wangwu')).toEqual({ name: '王五' });
    expect(repo.getChat('sandbox:g9')?.name).toBe('项目群');
  });

  it('names a chat it first saw without a name', () => {
    const db = openTestDatabase();
    const repo = new Repo(db);
    repo.ensureChat('sandbox:g1', 'sandbox', undefined);
    repo.ensureChat('sandbox:g1', 'sandbox', undefined);
    expect(repo.getChat('sandbox:g1')?.name).toBeNull();
    repo.ensureChat('sandbox:g1', 'sandbox', '联调群');
    expect(repo.getChat('sandbox:g1')?.name).toBe('联调群');
    repo.ensureChat('sandbox:g1', 'sandbox', undefined);
    expect(repo.getChat('sandbox:g1')?.name).toBe('联调群');
  });

  it('returns the inserted item whole from one statement', () => {
    const repo = new Repo(openTestDatabase());
    const item = repo.insertItem({ kind: 'task', platform: 'sandbox', chatId: 'sandbox:g1', title: '登录接口', state: 'open', initiatorId: 'sandbox:zs', urgent: true, data: { a: 1 } });
    expect(item).toEqual(repo.getItem(item.id));
    // Array rows map to the same fields as named columns do.
    const named = repo.db.$client
      .prepare('select id, kind, platform, chat_id as chatId, title, state, initiator_id as initiatorId, owner_id as ownerId, priority, urgent, due_at as dueAt, clock_at as clockAt, parent_id as parentId, seq_no as seqNo, process, stage, stage_due_at as stageDueAt, data, version, created_at as createdAt, updated_at as updatedAt from items where id = ?')
      .get(item.id) as Record<string, unknown>;
    expect(item).toEqual({ ...named, urgent: true, data: { a: 1 } });
    expect(repo.childItems(0)).toEqual([]);
    expect(repo.listItems('sandbox:g1')).toEqual([item]);
    expect(item).toMatchObject({ urgent: true, data: { a: 1 }, version: 1 });
  });
});
