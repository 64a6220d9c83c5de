// Upstream clusters: one per shop service, health-checked on /readyz, plus the admin interface for ops.
import { SHOP_SERVICES } from '../../api/constants.js';
import { PROBES } from '../../platform/services.js';
import { type EdgeUpstream, WEB_UPSTREAM } from './routes.js';
import type { EnvoyConfigInput, Upstream } from './types.js';

export const ADMIN_CLUSTER = 'envoy_admin';
export const clusterName = (service: EdgeUpstream) => `svc_${service}`;

function endpoints(...upstreams: { host: string; port: number }[]) {
  return {
    lb_endpoints: upstreams.map(({ host, port }) => ({
      endpoint: { address: { socket_address: { address: host, port_value: port } } },
    })),
  };
}

export function serviceClusters(input: EnvoyConfigInput) {
  const upstreams: [EdgeUpstream, Upstream | readonly Upstream[]][] = SHOP_SERVICES.map((service) => [
    service,
    input.upstreams[service],
  ]);
  if (input.web) upstreams.push([WEB_UPSTREAM, input.web]);
  return upstreams.map(([service, upstream]) => {
    return {
      name: clusterName(service),
      // STRICT_DNS resolves every address behind a headless Service, so each pod is health-checked.
      type: 'STRICT_DNS',
      dns_lookup_family: 'V4_ONLY',
      connect_timeout: '1s',
      lb_policy: 'ROUND_ROBIN',
      load_assignment: {
        cluster_name: clusterName(service),
        endpoints: [endpoints(...[upstream].flat())],
      },
      // Without this, Envoy sends traffic to unhealthy hosts once too many are unhealthy ("panic").
      common_lb_config: { healthy_panic_threshold: { value: 0 } },
      health_checks: [
        {
          timeout: '1s',
          interval: '5s',
          no_traffic_interval: '5s',
          unhealthy_threshold: 2,
          healthy_threshold: 1,
          http_health_check: { path: PROBES.readiness },
        },
      ],
    };
  });
}

export function adminCluster(input: EnvoyConfigInput) {
  return {
    name: ADMIN_CLUSTER,
    type: 'STATIC',
    connect_timeout: '1s',
    load_assignment: {
      cluster_name: ADMIN_CLUSTER,
      endpoints: [endpoints({ host: '127.0.0.1', port: input.adminPort })],
    },
  };
}
