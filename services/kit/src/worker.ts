// Background workers a service declares (see boot.ts): started once the service listens, stopped
// first when it drains. A periodic worker runs its task at start and then every interval, never
// overlapping itself; a failed run is reported and the next one happens as planned.
export interface Worker {
  name: string;
  start(): void | Promise<void>;
  stop(): void | Promise<void>;
}

export function periodicWorker(
  name: string,
  intervalMs: number,
  task: () => Promise<unknown>,
  onError: (error: unknown) => void,
): Worker {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    running = task()
      .then(
        () => undefined,
        (error) => onError(error),
      )
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  return {
    name,
    start() {
      stopped = false;
      tick();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
