// Reads a V8 CPU profile (the `.cpuprofile` `--cpu-prof` writes): sampled time within a window, by
// package and by function. Pure, so the bench's grouping can be read on its own.

export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
  }[];
  /** Microseconds on the monotonic clock. */
  startTime: number;
  /** The node each sample landed in, and the microseconds since the sample before it. */
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  /** [package, ms], most first. */
  byPackage: [string, number][];
  /** [function and where it is, ms of self time], most first. */
  byFunction: [string, number][];
}

/** Time from `window.from` to `window.to` (monotonic microseconds); idle samples left out. */
export function summarizeProfile(profile: CpuProfile, window: { from: number; to: number }): ProfileSummary {
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let at = profile.startTime;
  let totalMs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    // A sample stands for the time until the next one.
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    if (at < window.from || at > window.to) continue;
    const frame = frames.get(profile.samples[i]!);
    if (!frame || frame.functionName === '(idle)') continue;
    totalMs += ms;
    add(byPackage, packageOf(frame.url, frame.functionName), ms);
    add(
      byFunction,
      `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`,
      ms,
    );
  }
  return { totalMs, byPackage: sorted(byPackage), byFunction: sorted(byFunction) };
}

/** `pg`, `@grpc/grpc-js`, `services/kit`, `node:internal/streams`, or what V8 itself ran. */
export function packageOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(V8 built-ins)';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const [first, second] = url.slice(modules + '/node_modules/'.length).split('/');
    return first!.startsWith('@') ? `${first}/${second}` : first!;
  }
  const service = /\/services\/([^/]+)\/src\//.exec(url);
  if (service) return `services/${service[1]}`;
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  return shortUrl(url);
}

function shortUrl(url: string): string {
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) return url.slice(modules + '/node_modules/'.length);
  const services = url.indexOf('/services/');
  if (services >= 0) return url.slice(services + 1);
  return url.replace(/^file:\/\//, '');
}

function add(totals: Map<string, number>, key: string, ms: number) {
  totals.set(key, (totals.get(key) ?? 0) + ms);
}

function sorted(totals: Map<string, number>): [string, number][] {
  return [...totals].sort((a, b) => b[1] - a[1]);
}
