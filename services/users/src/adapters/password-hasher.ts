// argon2id via @node-rs/argon2 (native, off the event loop). Defaults follow OWASP's password
// storage guidance: m = 19 MiB, t = 2, p = 1; tests may pass lighter parameters for speed.
import { hash, verify } from '@node-rs/argon2';

export interface Argon2Parameters {
  memoryKib: number;
  timeCost: number;
  parallelism: number;
}

export const OWASP_ARGON2: Argon2Parameters = { memoryKib: 19_456, timeCost: 2, parallelism: 1 };

const ARGON2ID = 2; // @node-rs/argon2's Algorithm.Argon2id (a const enum, which isolatedModules cannot inline)

export class PasswordHasher {
  private dummyHash: Promise<string> | undefined;

  constructor(private readonly parameters: Argon2Parameters = OWASP_ARGON2) {}

  hash(password: string): Promise<string> {
    return hash(password, {
      algorithm: ARGON2ID,
      memoryCost: this.parameters.memoryKib,
      timeCost: this.parameters.timeCost,
      parallelism: this.parameters.parallelism,
    });
  }

  /**
   * True when `storedHash` was made with other parameters than the current ones: after raising
   * the cost, hashes are upgraded at the next successful sign-in.
   */
  needsRehash(storedHash: string): boolean {
    const match = /^\$argon2id\$v=\d+\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(storedHash);
    if (!match) return true;
    const [, memory, time, parallelism] = match.map(Number);
    const wanted = this.parameters;
    return memory !== wanted.memoryKib || time !== wanted.timeCost || parallelism !== wanted.parallelism;
  }

  /** Constant-time comparison is done inside argon2's verify. */
  async verify(storedHash: string, password: string): Promise<boolean> {
    try {
      return await verify(storedHash, password);
    } catch {
      return false; // e.g. the placeholder hash of a deleted account
    }
  }

  /**
   * Spends the same time as a real verification, for logins of accounts that do not exist, so the
   * response time does not reveal whether an email is registered.
   */
  async verifyAgainstNothing(password: string): Promise<false> {
    this.dummyHash ??= this.hash('not a real password, only here to take time');
    await this.verify(await this.dummyHash, password);
    return false;
  }
}
