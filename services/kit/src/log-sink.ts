// Ships a service's warnings and errors (pino `warn` and above) to the back office's bounded log store,
// so an admin can search "what went wrong at 03:12" without a shell. Lines leave after pino's
// redaction (logging.ts), so no secret that logging hides is shipped. Shipping is best effort and
// never slows the service: lines wait in a bounded buffer (the oldest are dropped when it is full,
// and counted) and are POSTed in batches; a failed POST is retried with the next batch. stdout stays
// the complete log; this is a searchable window onto its problems.
// Hand-written rather than a pino transport package: the ones on npm ship to Loki, Elasticsearch or a
// cloud, none to a plain HTTP endpoint with a bounded buffer, and this is a few lines.

export interface LogSink {
  /** pino's destination interface: one JSON line per call. */
  write(line: string): void;
  /** Sends what is buffered (on shutdown). */
  flush(): Promise<void>;
  readonly dropped: number;
}

export function createLogSink(options: {
  url: string;
  maxBuffered?: number;
  batchSize?: number;
  intervalMs?: number;
}): LogSink {
  const maxBuffered = options.maxBuffered ?? 2_000;
  const batchSize = options.batchSize ?? 200;
  const buffer: unknown[] = [];
  let dropped = 0;
  let sending: Promise<void> | undefined;

  const send = async () => {
    while (buffer.length > 0) {
      const batch = buffer.slice(0, batchSize);
      const response = await fetch(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ entries: batch }),
        signal: AbortSignal.timeout(5_000),
      }).catch(() => undefined);
      if (!response?.ok) return; // kept for the next round
      buffer.splice(0, batch.length);
    }
  };
  const flush = () => {
    sending ??= send().finally(() => {
      sending = undefined;
    });
    return sending;
  };
  const timer = setInterval(() => void flush(), options.intervalMs ?? 1_000);
  timer.unref();

  return {
    write(line) {
      try {
        buffer.push(JSON.parse(line));
      } catch {
        return;
      }
      if (buffer.length > maxBuffered) {
        buffer.shift();
        dropped++;
      }
    },
    async flush() {
      clearInterval(timer);
      await flush();
    },
    get dropped() {
      return dropped;
    },
  };
}
