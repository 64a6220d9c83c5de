// Folders a suite makes in the system's temp dir (an empty migrations folder, fixtures), removed when
// the test process exits, so no suite needs an after hook of its own for them and none is left behind.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

/** A new empty folder named `<prefix><random>`, gone once the process exits. */
export function tempDir(prefix: string): string {
  if (made.length === 0)
    process.once('exit', () => {
      for (const dir of made) rmSync(dir, { recursive: true, force: true });
    });
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
