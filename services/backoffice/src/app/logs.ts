// The log store's use cases: take in a batch of the services' warnings and errors (the kit's log
// sink), and search the window people read. The store itself is bounded (LOG_EVENTS_MAX).
import {
  type LogEvent,
  type LogSearch,
  searchLogEvents,
  storeLogEvents,
} from '../adapters/log-events-repository.js';
import type { BackofficeDeps } from './deps.js';

/** A line as the kit's logger wrote it: its columns, and every other field as it came. */
export interface LogLine {
  time: string;
  service: string;
  level: string;
  msg: string;
  traceId?: string | undefined;
  requestId?: string | undefined;
  [field: string]: unknown;
}

/** What a line keeps besides its columns, at most this much JSON (a whole dumped object is cut). */
const MAX_FIELDS_CHARS = 8_000;

function toEvent(line: LogLine): LogEvent {
  const { time, service, level, msg, traceId, requestId, pid: _pid, hostname: _hostname, ...rest } = line;
  const json = JSON.stringify(rest);
  return {
    at: new Date(time),
    service,
    level,
    msg,
    traceId: traceId ?? null,
    requestId: requestId ?? null,
    fields: json.length > MAX_FIELDS_CHARS ? { truncated: json.slice(0, MAX_FIELDS_CHARS) } : rest,
  };
}

export function recordLogLines(deps: BackofficeDeps, lines: readonly LogLine[]): Promise<void> {
  return storeLogEvents(deps.pool, lines.map(toEvent), deps.config.LOG_EVENTS_MAX);
}

export async function searchLogs(deps: BackofficeDeps, search: LogSearch) {
  const items = await searchLogEvents(deps.pool, search);
  return items.map((item) => ({ ...item, at: item.at.toISOString() }));
}
