// Token buckets for outbound sends: one per platform app and one per chat, so a burst
// (a morning batch, a digest) is spread at the rate the platform accepts instead of being
// answered with rate-limit errors.

export interface Rate {
  appPerSecond: number;
  chatPerMinute: number;
}

class Bucket {
  private tokens: number;
  private last: number;
  constructor(
    private readonly capacity: number,
    private readonly perMs: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.last = now;
  }

  /** Milliseconds until a token is available (0: available now). */
  wait(now: number): number {
    this.tokens = Math.min(this.capacity, this.tokens + (now - this.last) * this.perMs);
    this.last = now;
    return this.tokens >= 1 ? 0 : Math.ceil((1 - this.tokens) / this.perMs);
  }

  take(): void {
    this.tokens -= 1;
  }
}

export class RateLimiter {
  private readonly apps = new Map<string, Bucket>();
  private readonly chats = new Map<string, Bucket>();

  /**
   * `share`: how many instances send for the same apps (each takes that part of an app's rate;
   * a chat is sent by one instance at a time, so its rate is not divided).
   */
  constructor(
    private readonly rates: Partial<Record<string, Rate>>,
    private readonly share: () => number = () => 1,
  ) {}

  /** Takes a send slot for (platform, chat), or says how long to wait for one. */
  acquire(platform: string, chatId: string, now: number): number {
    const rate = this.rates[platform];
    if (!rate) return 0;
    const n = Math.max(1, this.share());
    const perSecond = rate.appPerSecond / n;
    const app = this.bucket(this.apps, n === 1 ? platform : `${platform}/${n}`, Math.max(1, perSecond), perSecond / 1000, now);
    const chat = this.bucket(this.chats, chatId, Math.max(1, Math.min(5, rate.chatPerMinute)), rate.chatPerMinute / 60_000, now);
    const wait = Math.max(app.wait(now), chat.wait(now));
    if (wait > 0) return wait;
    app.take();
    chat.take();
    return 0;
  }

  private bucket(map: Map<string, Bucket>, key: string, capacity: number, perMs: number, now: number): Bucket {
    let b = map.get(key);
    if (!b) {
      b = new Bucket(capacity, perMs, now);
      map.set(key, b);
    }
    return b;
  }
}
