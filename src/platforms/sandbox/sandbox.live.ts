// Live listeners of the sandbox page (SSE streams). Events are small hints — "chat X changed up
// to rev N", "the users or groups changed" — and the page fetches what changed through the
// normal API, so a missed event costs nothing but a moment.

export type LiveEvent = { type: 'message'; chatId: string; rev: number } | { type: 'state' };

type Listener = (e: LiveEvent) => void;

export class LiveHub {
  private readonly listeners = new Set<Listener>();
  /** Where events also go to reach other instances' pages (PostgreSQL), if anywhere. */
  private forward: ((e: LiveEvent) => void) | undefined;

  /** Sends every published event on to other instances too. */
  forwardTo(fn: (e: LiveEvent) => void): void {
    this.forward = fn;
  }

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  publish(e: LiveEvent): void {
    this.forward?.(e);
    this.deliver(e);
  }

  /** To this instance's pages only (an event another instance published). */
  deliver(e: LiveEvent): void {
    for (const fn of this.listeners) {
      try {
        fn(e);
      } catch {
        // A broken stream must not stop delivery to the others; its close handler unsubscribes it.
      }
    }
  }

  get size(): number {
    return this.listeners.size;
  }
}
