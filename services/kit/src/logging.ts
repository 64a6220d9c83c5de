// JSON logs (pino). Every line carries the service name, and, when there is one, the current trace
// and span ids and the request id, so logs, traces and requests can be joined.
import { isSpanContextValid, trace } from '@opentelemetry/api';
import { pino } from 'pino';
import type { LogSink } from './log-sink.js';
import { currentRequestId } from './request-context.js';

export type Logger = pino.Logger;

// Secrets must never reach the logs, even when someone logs a whole request body by mistake.
const redactedPaths = [
  'password',
  'currentPassword',
  'newPassword',
  'token',
  'refreshToken',
  'accessToken',
  'code',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.token',
  '*.refreshToken',
  '*.accessToken',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
];

/** `sink`: warnings and errors also go there (the back office's log store), after redaction. */
export function createLogger(options: { service: string; level?: string; sink?: LogSink }): Logger {
  const destination = options.sink
    ? pino.multistream([
        { level: 'trace', stream: process.stdout },
        { level: 'warn', stream: options.sink },
      ])
    : undefined;
  const pinoOptions: pino.LoggerOptions = {
    level: options.level ?? 'info',
    base: { service: options.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: redactedPaths, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
    mixin() {
      const fields: Record<string, string> = {};
      const span = trace.getActiveSpan()?.spanContext();
      if (span && isSpanContextValid(span)) {
        fields.traceId = span.traceId;
        fields.spanId = span.spanId;
      }
      const requestId = currentRequestId();
      if (requestId) fields.requestId = requestId;
      return fields;
    },
  };
  return destination ? pino(pinoOptions, destination) : pino(pinoOptions);
}
