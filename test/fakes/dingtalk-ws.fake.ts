// A minimal WebSocket server side (RFC 6455) over node:http's `upgrade` event, enough to play
// DingTalk's Stream gateway (and Feishu's long-connection gateway) in tests: text and binary
// frames, ping/pong, close. No extensions, no fragmentation (the frames are small).

import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'; // RFC 6455 §1.3

export class FakeWsConnection extends EventEmitter {
  /** Every text frame the client sent, parsed as JSON when possible. */
  readonly received: unknown[] = [];
  pings = 0;
  closed = false;
  /** Stop answering pings (a half-dead connection). */
  mutePings = false;
  private buf = Buffer.alloc(0);

  constructor(
    private readonly socket: Duplex,
    readonly url: string,
  ) {
    super();
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('close', () => this.markClosed());
    // http.Server sockets are half-open: the peer's FIN alone does not close ours.
    socket.on('end', () => {
      socket.end();
      this.markClosed();
    });
    socket.on('error', () => this.markClosed());
  }

  sendJson(obj: unknown): void {
    this.sendFrame(0x1, Buffer.from(JSON.stringify(obj), 'utf8'));
  }

  /** A binary frame (Feishu's long connection speaks protobuf in these). */
  sendBinary(payload: Buffer): void {
    this.sendFrame(0x2, payload);
  }

  /** Closes politely (close frame, then the TCP end). */
  close(code = 1000): void {
    if (this.closed) return;
    const payload = Buffer.alloc(2);
    payload.writeUInt16BE(code);
    this.sendFrame(0x8, payload);
    this.socket.end();
  }

  /** Drops the TCP connection without a close frame. */
  destroy(): void {
    this.socket.destroy();
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close');
  }

  private sendFrame(opcode: number, payload: Buffer): void {
    if (this.closed || this.socket.destroyed) return;
    const len = payload.length;
    let head: Buffer;
    if (len < 126) {
      head = Buffer.from([0x80 | opcode, len]);
    } else if (len < 65536) {
      head = Buffer.alloc(4);
      head[0] = 0x80 | opcode;
      head[1] = 126;
      head.writeUInt16BE(len, 2);
    } else {
      head = Buffer.alloc(10);
      head[0] = 0x80 | opcode;
      head[1] = 127;
      head.writeBigUInt64BE(BigInt(len), 2);
    }
    this.socket.write(Buffer.concat([head, payload]));
  }

  private onData(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    for (;;) {
      if (this.buf.length < 2) return;
      const b0 = this.buf[0]!;
      const b1 = this.buf[1]!;
      const opcode = b0 & 0x0f;
      const masked = (b1 & 0x80) !== 0;
      let len = b1 & 0x7f;
      let off = 2;
      if (len === 126) {
        if (this.buf.length < 4) return;
        len = this.buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (this.buf.length < 10) return;
        len = Number(this.buf.readBigUInt64BE(2));
        off = 10;
      }
      const maskLen = masked ? 4 : 0;
      if (this.buf.length < off + maskLen + len) return;
      const mask = masked ? this.buf.subarray(off, off + 4) : undefined;
      const payload = Buffer.from(this.buf.subarray(off + maskLen, off + maskLen + len));
      if (mask) for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i % 4]!;
      this.buf = this.buf.subarray(off + maskLen + len);
      this.onFrame(opcode, payload);
    }
  }

  private onFrame(opcode: number, payload: Buffer): void {
    if (opcode === 0x1) {
      const text = payload.toString('utf8');
      let v: unknown = text;
      try {
        v = JSON.parse(text);
      } catch {
        // keep the text
      }
      this.received.push(v);
      this.emit('message', v);
    } else if (opcode === 0x2) {
      this.emit('binary', payload);
    } else if (opcode === 0x8) {
      this.sendFrame(0x8, payload.subarray(0, 2));
      this.socket.end();
    } else if (opcode === 0x9) {
      this.pings++;
      if (!this.mutePings) this.sendFrame(0xa, payload);
    }
  }
}

/** Completes the handshake; undefined (and the socket destroyed) if it is not a WebSocket request. */
export function acceptWebSocket(req: IncomingMessage, socket: Duplex): FakeWsConnection | undefined {
  const key = req.headers['sec-websocket-key'];
  if (typeof key !== 'string' || req.headers.upgrade?.toLowerCase() !== 'websocket') {
    socket.destroy();
    return undefined;
  }
  const accept = createHash('sha1').update(key + GUID).digest('base64');
  socket.write(
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' + `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
  );
  return new FakeWsConnection(socket, req.url ?? '');
}
