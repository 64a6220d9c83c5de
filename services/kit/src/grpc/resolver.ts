// Name resolution for the kit's gRPC clients: grpc-js's own DNS resolver, asked again on a timer.
// grpc-js resolves a name only when a channel starts and when a connection drops, so a pod that joins
// a headless Service would get no calls until some connection to another pod failed. Here the name is
// looked up every REFRESH_MS; an unchanged answer is not passed on (the round-robin policy rebuilds its
// list on every update), a changed one is, and round_robin connects to the new pods and drops the gone.
import { type ChannelOptions, experimental } from '@grpc/grpc-js';

/** The scheme of targets the kit's clients use for `host:port` addresses. */
export const REFRESHING_DNS_SCHEME = 'kit-dns';
/** How often a client looks its downstream's name up again (pods come and go). */
export const REFRESH_MS = 5_000;

class RefreshingDnsResolver implements experimental.Resolver {
  private readonly inner: experimental.Resolver;
  private timer: NodeJS.Timeout | undefined;
  private lastAnswer: string | undefined;

  constructor(
    target: experimental.GrpcUri,
    listener: experimental.ResolverListener,
    options: ChannelOptions,
  ) {
    this.inner = experimental.createResolver(
      { ...target, scheme: 'dns' },
      (endpoints, attributes, serviceConfig, note) => {
        const answer = JSON.stringify([
          endpoints.ok ? endpoints.value.map(experimental.endpointToString).sort() : endpoints.error,
          serviceConfig,
        ]);
        if (endpoints.ok && answer === this.lastAnswer) return true;
        this.lastAnswer = endpoints.ok ? answer : undefined;
        return listener(endpoints, attributes, serviceConfig, note);
      },
      options,
    );
  }

  updateResolution(): void {
    // Started here, not in the constructor: after destroy() (an idle channel) the channel calls this
    // again to start over.
    this.timer ??= setInterval(() => this.inner.updateResolution(), REFRESH_MS).unref();
    this.inner.updateResolution();
  }

  destroy(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.lastAnswer = undefined;
    this.inner.destroy();
  }

  static getDefaultAuthority(target: experimental.GrpcUri): string {
    return target.path;
  }
}

let registered = false;

/**
 * The grpc-js target for an address: `host:port` (a headless Service's name) goes through the
 * refreshing DNS resolver; a target with its own scheme (`ipv4:…`, `dns:…`) is used as given.
 */
export function refreshingTarget(address: string): string {
  if (!registered) {
    experimental.registerResolver(REFRESHING_DNS_SCHEME, RefreshingDnsResolver);
    registered = true;
  }
  return /^(dns|ipv4|ipv6|unix|unix-abstract|vsock|kit-dns):/.test(address)
    ? address
    : `${REFRESHING_DNS_SCHEME}:${address}`;
}
