// (d) The baseline an admin would otherwise deploy: @larksuiteoapi/node-sdk's own EventDispatcher
// on node:http through its default adapter, with the same Encrypt Key, and a handler that does
// nothing (no storage, no de-duplication: the SDK's sample server).
// Usage: node --import tsx bench/servers/sdk.ts <port>

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as lark from '@larksuiteoapi/node-sdk';
import { FEISHU } from '../lib/wire.ts';
import { probeExtra, ready } from '../lib/probe.ts';

let handled = 0;
const dispatcher = new lark.EventDispatcher({ encryptKey: FEISHU.encryptKey, verificationToken: FEISHU.verificationToken }).register({
  'im.message.receive_v1': async () => {
    handled++;
  },
});
const server = createServer(lark.adaptDefault('/webhook/event', dispatcher, { autoChallenge: true }));
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  probeExtra(() => ({ handled }));
  ready((server.address() as AddressInfo).port);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
