// The sandbox's rows (users, groups, the messages its page shows) are stored through the data
// layer; the sandbox's modules and tests name them from here.

export { SandboxStore, SEED_CHATS, SEED_USERS, type SandboxChat, type SandboxMessage, type SandboxUser } from '../../db/sandbox.ts';
