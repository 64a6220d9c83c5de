// Reads a trace back from Jaeger's HTTP query API (the one its UI uses: /api/traces/<id>).
import { infraEnv } from './env.js';

export interface TraceSpan {
  spanId: string;
  parentId: string | undefined;
  service: string;
  name: string;
  kind: string | undefined;
}

interface JaegerTrace {
  spans: {
    spanID: string;
    operationName: string;
    processID: string;
    references?: { refType: string; spanID: string }[];
    tags?: { key: string; value: unknown }[];
  }[];
  processes: Record<string, { serviceName: string }>;
}

/** The spans of one trace, or [] while Jaeger does not know it yet. */
export async function traceSpans(traceId: string): Promise<TraceSpan[]> {
  const response = await fetch(`${infraEnv('JAEGER_URL')}/api/traces/${traceId}`);
  if (response.status === 404) return [];
  if (!response.ok) throw new Error(`jaeger: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { data: JaegerTrace[] };
  return (body.data ?? []).flatMap((trace) =>
    trace.spans.map((span) => ({
      spanId: span.spanID,
      parentId: span.references?.find((r) => r.refType === 'CHILD_OF')?.spanID,
      service: trace.processes[span.processID]?.serviceName ?? '?',
      name: span.operationName,
      kind: span.tags?.find((t) => t.key === 'span.kind')?.value as string | undefined,
    })),
  );
}

/** One line per span, indented under its parent: what a failed assertion shows. */
export function drawTrace(spans: TraceSpan[]): string {
  const ids = new Set(spans.map((s) => s.spanId));
  const lines: string[] = [];
  const draw = (span: TraceSpan, depth: number) => {
    const orphan = span.parentId && !ids.has(span.parentId) ? ' (parent not in the trace)' : '';
    lines.push(`${'  '.repeat(depth)}${span.service}: ${span.name}${orphan}`);
    for (const child of spans.filter((s) => s.parentId === span.spanId)) draw(child, depth + 1);
  };
  for (const top of spans.filter((s) => !s.parentId || !ids.has(s.parentId))) draw(top, 0);
  return lines.join('\n');
}
