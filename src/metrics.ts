// Prometheus metrics (prom-client), one registry per runtime so tests can build many.
// Scraped at GET /metrics.

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();
  readonly inbound: Counter<'platform' | 'outcome'>;
  readonly commandSeconds: Histogram<'kind'>;
  readonly outboxDepth: Gauge;
  private pending: () => number = () => 0;
  readonly sent: Counter<'platform'>;
  readonly sendFailures: Counter<'platform' | 'code' | 'final'>;
  readonly remindersFired: Counter<'rule'>;

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
