// (a) The floor: a bare Fastify route that parses the JSON body and answers {}.
// Usage: node --import tsx bench/servers/bare.ts <port>

import Fastify from 'fastify';
import { probeExtra, ready } from '../lib/probe.ts';

let requests = 0;
const app = Fastify({ logger: false });
app.post('/feishu/events', async () => {
  requests++;
  return {};
});
const address = await app.listen({ host: '127.0.0.1', port: Number(process.argv[2] ?? 0) });
probeExtra(() => ({ requests }));
ready(Number(new URL(address).port));
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
