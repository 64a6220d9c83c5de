// Leader election on a coordination.k8s.io Lease, following client-go's rules:
// - a replica takes the Lease only when it is free or its holder has not renewed it for leaseDuration,
//   measured on this replica's own clock from when it last saw the record change (no clock-skew trust);
// - every write carries the resourceVersion it read, so two replicas can never both win a race;
// - the leader renews every retryPeriod and steps down when it could not renew within renewDeadline,
//   which is shorter than leaseDuration: it stops acting before anyone else may start.
import type { Logger } from 'pino';
import type { KubeClient } from '../kube/client.js';
import { isConflict, isNotFound } from '../kube/errors.js';
import { sleep } from '../kube/informer.js';
import { LEASES } from '../kube/resources.js';

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSeconds: number;
  renewDeadlineSeconds: number;
  retryPeriodSeconds: number;
}

interface LeaseSpec {
  holderIdentity?: string | null;
  leaseDurationSeconds?: number;
  acquireTime?: string | null;
  renewTime?: string | null;
  leaseTransitions?: number;
}

interface Lease {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: LeaseSpec;
}

/** MicroTime wants exactly six fractional digits. */
export function microTime(date = new Date()): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class LeaderElector {
  private observed: { record: string; at: number } | undefined;
  private lastRenew = 0;
  private leading = false;

  constructor(
    private readonly client: KubeClient,
    private readonly options: LeaderElectionOptions,
    private readonly log: Logger,
  ) {}

  get isLeader(): boolean {
    return this.leading;
  }

  /** Resolves once this replica leads; undefined if the signal aborted first. */
  async acquire(signal: AbortSignal): Promise<boolean> {
    while (!signal.aborted) {
      if (await this.tryAcquireOrRenew()) {
        this.leading = true;
        this.log.info({ lease: this.options.name, identity: this.options.identity }, 'became leader');
        return true;
      }
      await sleep(this.jittered(), signal);
    }
    return false;
  }

  /** Renews until the signal aborts (returns true) or leadership is lost (returns false). */
  async holdLeadership(signal: AbortSignal): Promise<boolean> {
    while (!signal.aborted) {
      await sleep(this.options.retryPeriodSeconds * 1000, signal);
      if (signal.aborted) break;
      if (await this.tryAcquireOrRenew()) continue;
      if (Date.now() - this.lastRenew > this.options.renewDeadlineSeconds * 1000) {
        this.leading = false;
        this.log.error({ lease: this.options.name }, 'could not renew the lease in time, stepping down');
        return false;
      }
    }
    return true;
  }

  /** Gives the Lease up on a clean shutdown so another replica takes over at once. */
  async release(): Promise<void> {
    if (!this.leading) return;
    this.leading = false;
    try {
      const lease = await this.get();
      if (!lease || lease.spec.holderIdentity !== this.options.identity) return;
      lease.spec = { ...lease.spec, holderIdentity: null, leaseDurationSeconds: 1, renewTime: microTime() };
      await this.client.replace(lease);
    } catch (error) {
      this.log.warn({ err: (error as Error).message }, 'could not release the lease');
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity, leaseDurationSeconds } = this.options;
    const now = microTime();
    try {
      const lease = await this.get();
      if (!lease) {
        await this.client.create<Lease>({
          apiVersion: LEASES.apiVersion,
          kind: LEASES.kind,
          metadata: { name, namespace },
          spec: {
            holderIdentity: identity,
            leaseDurationSeconds,
            acquireTime: now,
            renewTime: now,
            leaseTransitions: 0,
          },
        });
        this.lastRenew = Date.now();
        return true;
      }
      const record = JSON.stringify(lease.spec);
      if (this.observed?.record !== record) this.observed = { record, at: Date.now() };
      const holder = lease.spec.holderIdentity;
      const duration = (lease.spec.leaseDurationSeconds ?? leaseDurationSeconds) * 1000;
      const held = Boolean(holder) && holder !== identity && this.observed.at + duration > Date.now();
      if (held) return false;
      const taking = holder !== identity;
      lease.spec = {
        holderIdentity: identity,
        leaseDurationSeconds,
        acquireTime: taking ? now : lease.spec.acquireTime,
        renewTime: now,
        leaseTransitions: (lease.spec.leaseTransitions ?? 0) + (taking && holder ? 1 : 0),
      };
      // resourceVersion from the read: the write fails with 409 if anyone changed the Lease since.
      const updated = await this.client.replace(lease);
      this.observed = { record: JSON.stringify(updated.spec), at: Date.now() };
      this.lastRenew = Date.now();
      return true;
    } catch (error) {
      if (!isConflict(error)) this.log.warn({ err: (error as Error).message }, 'lease request failed');
      return false;
    }
  }

  private async get(): Promise<Lease | undefined> {
    try {
      return await this.client.read<Lease>(LEASES, this.options.namespace, this.options.name);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  private jittered(): number {
    return this.options.retryPeriodSeconds * 1000 * (1 + Math.random() * 0.2);
  }
}
