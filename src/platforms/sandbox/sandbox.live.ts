// Live listeners of the sandbox page (SSE streams). Events are small hints — "chat X changed up
// to rev N", "the users or groups changed" — and the page fetches what changed through the
// normal API, so a missed event costs nothing but a moment.

export type LiveEvent = { type: 'message'; chatId: string; rev: number } | { type: 'state' };

type Listener = (e: LiveEvent) => void;

export class LiveHub {
  private readonly listeners = new Set<Listener>();

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  publish(e: LiveEvent): void {
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
