// Counts the MongoDB commands a phase of the benchmark sends, by command name and collection, from the
// driver's command monitoring (the client must be created with `monitorCommands: true`). Round trips
// are what a payments operation costs the server, so this says where a phase's time goes.
import type { CommandStartedEvent, MongoClient } from 'mongodb';

/** Commands the driver sends on its own (handshakes, heartbeats), not on behalf of an operation. */
const HOUSEKEEPING = new Set(['hello', 'ismaster', 'isMaster', 'ping', 'endSessions', 'buildInfo']);

export class CommandCounter {
  private current: Map<string, number> | undefined;

  constructor(client: MongoClient) {
    client.on('commandStarted', (event: CommandStartedEvent) => {
      if (!this.current || HOUSEKEEPING.has(event.commandName)) return;
      // The collection is the value of the command's first field (insert: "journal", find: "holds").
      const target = event.command[event.commandName];
      const key = typeof target === 'string' ? `${event.commandName} ${target}` : event.commandName;
      this.current.set(key, (this.current.get(key) ?? 0) + 1);
    });
  }

  /** Counts the commands `run` causes (run one phase at a time: all commands in between are counted). */
  async during<T>(run: () => Promise<T>): Promise<{ result: T; commands: Map<string, number> }> {
    const commands = new Map<string, number>();
    this.current = commands;
    try {
      return { result: await run(), commands };
    } finally {
      this.current = undefined;
    }
  }
}

/** "12.34 per op: insert journal 4.00, update holds 2.00, ..." (most frequent first). */
export function perOperation(commands: Map<string, number>, operations: number) {
  const total = [...commands.values()].reduce((sum, n) => sum + n, 0) / operations;
  const byCommand = Object.fromEntries(
    [...commands].sort((a, b) => b[1] - a[1]).map(([key, n]) => [key, Number((n / operations).toFixed(2))]),
  );
  return { total: Number(total.toFixed(2)), byCommand };
}
