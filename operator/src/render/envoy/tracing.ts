// The edge starts every trace: Envoy's OpenTelemetry tracer makes the root span of each request,
// sends it over OTLP/gRPC to the collector, and passes `traceparent` on to the service it routes to.
import type { EnvoyConfigInput, Upstream } from './types.js';

export const OTLP_CLUSTER = 'otlp_collector';

export function httpTracing(input: EnvoyConfigInput) {
  if (!input.tracing) return {};
  return {
    tracing: {
      // Every request is sampled at the edge; services follow the edge's decision.
      random_sampling: { value: 100 },
      spawn_upstream_span: false,
      provider: {
        name: 'envoy.tracers.opentelemetry',
        typed_config: {
          '@type': 'type.googleapis.com/envoy.config.trace.v3.OpenTelemetryConfig',
          grpc_service: { envoy_grpc: { cluster_name: OTLP_CLUSTER }, timeout: '1s' },
          service_name: input.tracing.serviceName,
        },
      },
    },
  };
}

/** The trace id goes back to the client in `x-trace-id`, so a person can look the request up in Jaeger. */
export function traceIdResponseHeader(input: EnvoyConfigInput) {
  if (!input.tracing) return {};
  return {
    response_headers_to_add: [
      { header: { key: 'x-trace-id', value: '%TRACE_ID%' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
    ],
  };
}

export function otlpClusters(input: EnvoyConfigInput) {
  if (!input.tracing) return [];
  const collector: Upstream = input.tracing.collector;
  return [
    {
      name: OTLP_CLUSTER,
      type: 'STRICT_DNS',
      dns_lookup_family: 'V4_ONLY',
      connect_timeout: '1s',
      typed_extension_protocol_options: {
        'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
          '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
          explicit_http_config: { http2_protocol_options: {} },
        },
      },
      load_assignment: {
        cluster_name: OTLP_CLUSTER,
        endpoints: [
          {
            lb_endpoints: [
              {
                endpoint: {
                  address: { socket_address: { address: collector.host, port_value: collector.port } },
                },
              },
            ],
          },
        ],
      },
    },
  ];
}
