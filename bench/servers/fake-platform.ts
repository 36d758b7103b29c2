// A tiny fake of the Feishu and DingTalk OpenAPIs on 127.0.0.1, for the bench servers' start-up
// calls (tenant token, bot info) and whatever the outbox delivers. Every call succeeds at once.
// Usage: node --import tsx bench/servers/fake-platform.ts <port>

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FEISHU } from '../lib/wire.ts';
import { probeExtra, ready } from '../lib/probe.ts';

const counts: Record<string, number> = {};
let seq = 0;

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function answer(method: string, path: string): [string, number, unknown] {
  // Feishu: https://open.feishu.cn/document/server-docs/authentication-management/access-token/tenant_access_token_internal
  if (path === '/open-apis/auth/v3/tenant_access_token/internal') return ['feishu.token', 200, { code: 0, msg: 'ok', tenant_access_token: 't-bench', expire: 7200 }];
  if (path === '/open-apis/bot/v3/info') return ['feishu.bot_info', 200, { code: 0, msg: 'ok', bot: { open_id: FEISHU.botOpenId, app_name: 'Groupflow', activate_status: 2 } }];
  if (method === 'POST' && path === '/open-apis/im/v1/messages') return ['feishu.create', 200, { code: 0, msg: 'success', data: { message_id: `om_fake${++seq}` } }];
  if (method === 'POST' && /^\/open-apis\/im\/v1\/messages\/[^/]+\/reply$/.test(path)) return ['feishu.reply', 200, { code: 0, msg: 'success', data: { message_id: `om_fake${++seq}` } }];
  if (method === 'PATCH' && path.startsWith('/open-apis/im/v1/messages/')) return ['feishu.patch', 200, { code: 0, msg: 'success', data: {} }];
  // DingTalk: https://open.dingtalk.com/document/orgapp/obtain-the-access_token-of-an-internal-app
  if (method === 'POST' && path === '/v1.0/oauth2/accessToken') return ['dingtalk.token', 200, { accessToken: 'dt-bench', expireIn: 7200 }];
  if (method === 'POST' && path === '/robot/sendBySession') return ['dingtalk.session', 200, { errcode: 0, errmsg: 'ok' }];
  if (method === 'POST' && path === '/v1.0/robot/groupMessages/send') return ['dingtalk.group', 200, { processQueryKey: `pqk${++seq}` }];
  if (method === 'POST' && path === '/v1.0/card/instances/createAndDeliver') {
    return ['dingtalk.card', 200, { success: true, result: { outTrackId: `otk${++seq}`, deliverResults: [{ spaceType: 'IM_GROUP', spaceId: 'x', success: true }] } }];
  }
  if (method === 'PUT' && path === '/v1.0/card/instances') return ['dingtalk.card_update', 200, { success: true }];
  if (method === 'POST' && path === '/v1.0/card/callbacks/register') return ['dingtalk.register', 200, { success: true }];
  return ['other', 404, { code: 404, msg: `fake has no ${method} ${path}` }];
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  for await (const _ of req) {
    // drain the body; nothing in it matters here
  }
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  const [op, status, body] = answer(req.method ?? 'GET', path);
  counts[op] = (counts[op] ?? 0) + 1;
  send(res, status, body);
}

const server = createServer((req, res) => void handle(req, res).catch(() => res.destroy()));
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  probeExtra(() => ({ calls: { ...counts } }));
  ready((server.address() as AddressInfo).port);
});
