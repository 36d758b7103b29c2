// Prometheus metrics (prom-client), one registry per runtime so tests can build many.
// Scraped at GET /metrics.

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ConnectionState, ConnectionStatus } from './platforms/platform.ts';

const CONNECTION_STATES: readonly ConnectionState[] = ['idle', 'connecting', 'connected', 'waiting', 'stopped'];

export class Metrics {
  readonly registry = new Registry();
  readonly inbound: Counter<'platform' | 'outcome'>;
  readonly commandSeconds: Histogram<'kind'>;
  readonly outboxDepth: Gauge;
  private pending: () => number = () => 0;
  readonly sent: Counter<'platform'>;
  readonly sendFailures: Counter<'platform' | 'code' | 'final'>;
  readonly remindersFired: Counter<'rule'>;
  readonly longConnUp: Gauge<'platform' | 'transport'>;
  readonly longConnState: Gauge<'platform' | 'transport' | 'state'>;
  readonly longConnReconnects: Counter<'platform' | 'transport'>;
  private connections: () => Array<ConnectionStatus & { platform: string }> = () => [];

  constructor(opts: { defaults?: boolean } = {}) {
    const registers = [this.registry];
    if (opts.defaults) collectDefaultMetrics({ register: this.registry, prefix: 'groupflow_' });
    this.inbound = new Counter({
      name: 'groupflow_inbound_events_total',
      help: 'Inbound platform requests by platform and outcome (accepted, duplicate, rejected, invalid, challenge, error)',
      labelNames: ['platform', 'outcome'],
      registers,
    });
    this.commandSeconds = new Histogram({
      name: 'groupflow_command_duration_seconds',
      help: 'Time to apply a message or card action (parse, transition, audit, outbox) in one transaction',
      labelNames: ['kind'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
      registers,
    });
    const self = this;
    this.outboxDepth = new Gauge({
      name: 'groupflow_outbox_pending',
      help: 'Outbound messages waiting to be sent',
      registers,
      collect() {
        this.set(self.pending());
      },
    });
    this.sent = new Counter({ name: 'groupflow_outbox_sent_total', help: 'Outbound messages delivered', labelNames: ['platform'], registers });
    this.sendFailures = new Counter({
      name: 'groupflow_outbox_send_failures_total',
      help: 'Failed send attempts by platform and vendor code (final: no more retries)',
      labelNames: ['platform', 'code', 'final'],
      registers,
    });
    this.remindersFired = new Counter({ name: 'groupflow_reminders_fired_total', help: 'Reminders fired by rule', labelNames: ['rule'], registers });
    // Long connections are read at scrape time from the platforms that keep them.
    this.longConnUp = new Gauge({
      name: 'groupflow_longconn_up',
      help: 'Whether a long-lived inbound connection (Feishu long connection, DingTalk Stream) is connected (1) or not (0)',
      labelNames: ['platform', 'transport'],
      registers,
      collect() {
        this.reset();
        for (const c of self.connections()) this.set({ platform: c.platform, transport: c.transport }, c.state === 'connected' ? 1 : 0);
      },
    });
    this.longConnState = new Gauge({
      name: 'groupflow_longconn_state',
      help: 'The state of each long-lived inbound connection: 1 for its current state (idle, connecting, connected, waiting, stopped), 0 for the others',
      labelNames: ['platform', 'transport', 'state'],
      registers,
      collect() {
        this.reset();
        for (const c of self.connections()) {
          for (const state of CONNECTION_STATES) this.set({ platform: c.platform, transport: c.transport, state }, c.state === state ? 1 : 0);
        }
      },
    });
    this.longConnReconnects = new Counter({
      name: 'groupflow_longconn_reconnects_total',
      help: 'Connection attempts of each long-lived inbound connection after its first (restarts after a fatal error, reconnects after a drop)',
      labelNames: ['platform', 'transport'],
      registers,
      collect() {
        // The supervisors keep the count; it only grows for the life of the process.
        this.reset();
        for (const c of self.connections()) this.inc({ platform: c.platform, transport: c.transport }, c.reconnects);
      },
    });
  }

  /** Reads the long connections' states at scrape time. */
  watchConnections(list: () => Array<ConnectionStatus & { platform: string }>): void {
    this.connections = list;
  }

  /** Reads the outbox depth at scrape time. */
  watchOutbox(count: () => number): void {
    this.pending = count;
  }
}

/** Maps an HTTP status of a webhook answer to an inbound outcome label. */
export function outcomeOf(status: number): string {
  if (status < 300) return 'accepted';
  if (status === 401 || status === 403) return 'rejected';
  if (status === 400 || status === 413 || status === 415) return 'invalid';
  if (status === 429) return 'throttled';
  return 'error';
}
