// A rate limit for the webhook endpoints that never drops the platforms' legitimate retries:
// only requests that failed authentication or validation count against an address, so a
// correctly signed request (an event, or Feishu re-pushing one) is never limited, while an
// address hammering the endpoints with forged or broken requests gets 429 for a while.

export class AbuseGuard {
  private readonly failures = new Map<string, number[]>();
  /** Addresses that recently sent a request that passed authentication (a platform's). */
  private readonly trusted = new Map<string, number>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether this address is over its budget of failed requests in the window. */
  blocked(addr: string): boolean {
    const ok = this.trusted.get(addr);
    if (ok !== undefined && ok > this.now() - this.windowMs) return false;
    return this.recent(addr).length >= this.limit;
  }

  recordSuccess(addr: string): void {
    this.trusted.set(addr, this.now());
    if (this.trusted.size > 10_000) {
      const cutoff = this.now() - this.windowMs;
      for (const [a, t] of this.trusted) if (t <= cutoff) this.trusted.delete(a);
    }
  }

  recordFailure(addr: string): void {
    const list = this.recent(addr);
    list.push(this.now());
    this.failures.set(addr, list);
    if (this.failures.size > 10_000) this.sweep();
  }

  private recent(addr: string): number[] {
    const cutoff = this.now() - this.windowMs;
    const list = (this.failures.get(addr) ?? []).filter((t) => t > cutoff);
    if (list.length) this.failures.set(addr, list);
    else this.failures.delete(addr);
    return list;
  }

  private sweep(): void {
    for (const addr of [...this.failures.keys()]) this.recent(addr);
  }
}
