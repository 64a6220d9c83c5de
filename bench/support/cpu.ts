// CPU time by program, read from /proc (Linux), so a benchmark can say where a phase's CPU went and
// how busy the whole machine was: whether a rate is bound by the cores rather than by waiting.
// Hand-written because what is wanted is every process on the machine grouped by what it runs (a
// service's main.ts, PostgreSQL, FerretDB, RabbitMQ), which no process-metrics library groups by.
import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';

const TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux architecture Node supports

export interface CpuSnapshot {
  at: number;
  /** CPU seconds (user + system) of the live processes, summed by program. */
  byProgram: Map<string, number>;
  /** Machine-wide: busy and total CPU seconds since boot, over every core. */
  busy: number;
  total: number;
}

/** What a process runs, as a short name: `orders` for services/orders/src/main.ts, `postgres`, ... */
function programOf(comm: string, cmdline: string): string {
  const service = /services\/([a-z-]+)\/(?:src|dist)\/main\./.exec(cmdline);
  if (service) return service[1]!;
  if (comm === 'beam.smp' || comm.startsWith('erl_')) return 'rabbitmq';
  if (comm === 'node') return 'node (the benchmark, tools)';
  return comm;
}

export async function cpuSnapshot(): Promise<CpuSnapshot> {
  const byProgram = new Map<string, number>();
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      // comm may hold spaces and parentheses: the fields after it start past the last ')'.
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const seconds = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND; // utime, stime
      const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ');
      const program = programOf(comm, cmdline);
      byProgram.set(program, (byProgram.get(program) ?? 0) + seconds);
    } catch {
      // The process ended between the listing and the read.
    }
  }
  const cpu = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = cpu[3]! + cpu[4]!; // idle, iowait
  const total = cpu.slice(0, 8).reduce((sum, value) => sum + value, 0);
  return {
    at: performance.now(),
    byProgram,
    busy: (total - idle) / TICKS_PER_SECOND,
    total: total / TICKS_PER_SECOND,
  };
}

export interface CpuUse {
  /** Share of every core's time that was busy over the interval, 0..1. */
  machineBusy: number;
  cores: number;
  /** CPU seconds per program over the interval, largest first (processes alive at both ends). */
  byProgram: [program: string, seconds: number][];
}

export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): CpuUse {
  const byProgram = [...after.byProgram]
    .map(([program, seconds]): [string, number] => [program, seconds - (before.byProgram.get(program) ?? 0)])
    .filter(([, seconds]) => seconds > 0.005)
    .sort((a, b) => b[1] - a[1]);
  return {
    machineBusy: (after.busy - before.busy) / Math.max(after.total - before.total, 1e-9),
    cores: os.availableParallelism(),
    byProgram,
  };
}
