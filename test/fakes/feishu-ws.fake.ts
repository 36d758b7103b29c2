// Feishu's long-connection gateway, written from the protocol: binary WebSocket frames carrying a
// protobuf `pbbp2.Frame` {SeqID 1, LogID 2, service 3, method 4 (0 control, 1 data), headers 5
// (repeated {key 1, value 2}), payloadEncoding 6, payloadType 7, payload 8, LogIDNew 9}.
// Control frames are pings (answered with a pong carrying the client config); data frames of
// header type "event" carry the event JSON, and the client answers each with the same frame,
// its payload replaced by {code, data?}. The codec is hand-written, never the SDK's.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { acceptWebSocket, type FakeWsConnection } from './dingtalk-ws.fake.ts';

export interface LarkFrame {
  SeqID: bigint;
  LogID: bigint;
  service: number;
  method: number;
  headers: Array<{ key: string; value: string }>;
  payload?: Buffer;
}

function varint(n: bigint): Buffer {
  const out: number[] = [];
  let v = BigInt.asUintN(64, n);
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return Buffer.from(out);
}

const field = (no: number, wire: number) => varint(BigInt((no << 3) | wire));
const bytesField = (no: number, b: Buffer) => Buffer.concat([field(no, 2), varint(BigInt(b.length)), b]);

export function encodeFrame(f: LarkFrame): Buffer {
  const parts = [field(1, 0), varint(f.SeqID), field(2, 0), varint(f.LogID), field(3, 0), varint(BigInt(f.service)), field(4, 0), varint(BigInt(f.method))];
  for (const h of f.headers) parts.push(bytesField(5, Buffer.concat([bytesField(1, Buffer.from(h.key)), bytesField(2, Buffer.from(h.value))])));
  if (f.payload) parts.push(bytesField(8, f.payload));
  return Buffer.concat(parts);
}

function* fields(buf: Buffer): Generator<{ no: number; value: bigint | Buffer }> {
  let i = 0;
  const readVarint = (): bigint => {
    let shift = 0n;
    let v = 0n;
    for (;;) {
      const b = buf[i++]!;
      v |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
      shift += 7n;
    }
  };
  while (i < buf.length) {
    const key = Number(readVarint());
    const wire = key & 7;
    if (wire === 0) yield { no: key >> 3, value: readVarint() };
    else if (wire === 2) {
      const len = Number(readVarint());
      yield { no: key >> 3, value: buf.subarray(i, i + len) };
      i += len;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
}

export function decodeFrame(buf: Buffer): LarkFrame {
  const f: LarkFrame = { SeqID: 0n, LogID: 0n, service: 0, method: 0, headers: [] };
  for (const { no, value } of fields(buf)) {
    if (no === 1) f.SeqID = value as bigint;
    else if (no === 2) f.LogID = value as bigint;
    else if (no === 3) f.service = Number(value);
    else if (no === 4) f.method = Number(value);
    else if (no === 8) f.payload = Buffer.from(value as Buffer);
    else if (no === 5) {
      const h = { key: '', value: '' };
      for (const x of fields(value as Buffer)) {
        if (x.no === 1) h.key = (x.value as Buffer).toString();
        if (x.no === 2) h.value = (x.value as Buffer).toString();
      }
      f.headers.push(h);
    }
  }
  return f;
}

const CLIENT_CONFIG = { PingInterval: 120, ReconnectCount: -1, ReconnectInterval: 1, ReconnectNonce: 0 };

export class FakeFeishuGateway {
  readonly connections: FakeWsConnection[] = [];
  /** The client's answers to data frames: {code, data?} by message id. */
  readonly acks: Array<{ messageId: string; code: number; data?: unknown }> = [];
  private server: Server | undefined;
  private seq = 0;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((_req, res) => res.writeHead(404).end());
    this.server.on('upgrade', (req, socket) => {
      const c = acceptWebSocket(req, socket);
      if (!c) return;
      this.connections.push(c);
      c.on('binary', (b: Buffer) => this.onFrame(c, decodeFrame(b)));
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const c of this.connections) c.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }

  /** What the endpoint (`POST /callback/ws/endpoint`) answers to send clients here. */
  endpointAnswer(): Record<string, unknown> {
    return { code: 0, msg: 'ok', data: { URL: `${this.url}/ws?device_id=dev1&service_id=7`, ClientConfig: CLIENT_CONFIG } };
  }

  open(): FakeWsConnection[] {
    return this.connections.filter((c) => !c.closed);
  }

  /** Pushes an event (the v2 envelope, as JSON) to every open connection. */
  push(envelope: unknown): string {
    const messageId = `msg_${++this.seq}`;
    const frame = encodeFrame({
      SeqID: BigInt(this.seq),
      LogID: BigInt(this.seq),
      service: 7,
      method: 1,
      headers: [
        { key: 'type', value: 'event' },
        { key: 'message_id', value: messageId },
        { key: 'sum', value: '1' },
        { key: 'seq', value: '0' },
        { key: 'trace_id', value: `trace_${this.seq}` },
      ],
      payload: Buffer.from(JSON.stringify(envelope)),
    });
    for (const c of this.open()) c.sendBinary(frame);
    return messageId;
  }

  private onFrame(c: FakeWsConnection, f: LarkFrame): void {
    const type = f.headers.find((h) => h.key === 'type')?.value;
    if (f.method === 0 && type === 'ping') {
      c.sendBinary(encodeFrame({ ...f, headers: [{ key: 'type', value: 'pong' }], payload: Buffer.from(JSON.stringify(CLIENT_CONFIG)) }));
      return;
    }
    if (f.method === 1 && f.payload) {
      const ack = JSON.parse(f.payload.toString()) as { code: number; data?: string };
      this.acks.push({
        messageId: f.headers.find((h) => h.key === 'message_id')?.value ?? '',
        code: ack.code,
        ...(ack.data ? { data: JSON.parse(Buffer.from(ack.data, 'base64').toString()) as unknown } : {}),
      });
    }
  }
}
