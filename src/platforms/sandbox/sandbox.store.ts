// The sandbox's rows (users, groups, the messages its page shows) are stored through the data
// layer; what an empty sandbox starts with is the sandbox's own choice, made here.

import type { Db } from '../../db/connection.ts';
import { SandboxStore as RowStore, type SandboxChat } from '../../db/sandbox.ts';
import type { UserRef } from '../../domain/chat.ts';

export type { SandboxChat, SandboxMessage, SandboxUser } from '../../db/sandbox.ts';

export const SEED_USERS: readonly UserRef[] = [
  { id: 'sandbox:zhangsan', name: '张三' },
  { id: 'sandbox:lisi', name: '李四' },
  { id: 'sandbox:wangwu', name: '王五' },
  { id: 'sandbox:zhaoliu', name: '赵六' },
];
export const SEED_CHATS: readonly SandboxChat[] = [{ id: 'sandbox:g1', name: '【技术部】接口联调', look: null }];

/** The sandbox's store, seeded with the demo people and group. */
export class SandboxStore extends RowStore {
  constructor(db: Db) {
    super(db, { users: SEED_USERS, chats: SEED_CHATS });
  }
}
