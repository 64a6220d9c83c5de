// The edge's graceful stop. Envoy exits at once on SIGTERM, cutting every keep-alive connection a
// client holds to it; a client that sends its next request on one sees a reset. So the pod's preStop
// hook asks the ops listener for PRE_STOP_PATH first. That route (a Lua filter: Envoy's admin
// interface wants a POST, which a kubelet hook cannot send, and the image has no shell to run curl)
// marks the server health-check-failed, which makes every HTTP connection manager answer with
// `Connection: close` from then on, and holds the hook's request for `holdSeconds`. Meanwhile the
// endpoint's removal reaches kube-proxy, and each client's next request closes its connection and
// opens a new one to another replica. Then the hook returns and SIGTERM finds no one to cut off.
// Health-check-failed is also all that a stranger on the ops port could cause: responses carry
// `Connection: close` until the pod is replaced; nothing stops serving.
import { ADMIN_CLUSTER } from './clusters.js';
import type { EnvoyConfigInput } from './types.js';

export const PRE_STOP_PATH = '/lifecycle/pre-stop';
const HOLD_PATH = '/lifecycle/hold';
const OPS_SELF_CLUSTER = 'edge_ops_self';
const LUA = 'envoy.filters.http.lua';
const FAULT = 'envoy.filters.http.fault';

const preStopScript = (holdSeconds: number) => `
function envoy_on_request(handle)
  handle:httpCall("${ADMIN_CLUSTER}", {[":method"] = "POST", [":path"] = "/healthcheck/fail", [":authority"] = "admin"}, "", 2000)
  handle:httpCall("${OPS_SELF_CLUSTER}", {[":method"] = "GET", [":path"] = "${HOLD_PATH}", [":authority"] = "ops"}, "", ${(holdSeconds + 5) * 1000})
  handle:respond({[":status"] = "200"}, "draining\\n")
end
`;

/** The ops listener's routes for the preStop hook (empty when the edge runs outside a cluster). */
export function drainRoutes(input: EnvoyConfigInput) {
  if (input.drainHoldSeconds === undefined) return [];
  return [
    {
      match: { path: PRE_STOP_PATH },
      direct_response: { status: 200 },
      typed_per_filter_config: {
        [LUA]: {
          '@type': 'type.googleapis.com/envoy.extensions.filters.http.lua.v3.LuaPerRoute',
          source_code: { inline_string: preStopScript(input.drainHoldSeconds) },
        },
      },
    },
    {
      match: { path: HOLD_PATH },
      direct_response: { status: 200 },
      typed_per_filter_config: {
        [FAULT]: {
          '@type': 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault',
          delay: {
            fixed_delay: `${input.drainHoldSeconds}s`,
            percentage: { numerator: 100, denominator: 'HUNDRED' },
          },
        },
      },
    },
  ];
}

/** The HTTP filters those routes need; without their per-route configuration, both do nothing. */
export function drainFilters(input: EnvoyConfigInput) {
  if (input.drainHoldSeconds === undefined) return [];
  return [
    { name: LUA, typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua' } },
    {
      name: FAULT,
      typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault' },
    },
  ];
}

/** The ops listener, as a cluster: the hook's hold is a request to it. */
export function drainClusters(input: EnvoyConfigInput) {
  if (input.drainHoldSeconds === undefined) return [];
  return [
    {
      name: OPS_SELF_CLUSTER,
      type: 'STATIC',
      connect_timeout: '1s',
      load_assignment: {
        cluster_name: OPS_SELF_CLUSTER,
        endpoints: [
          {
            lb_endpoints: [
              {
                endpoint: {
                  address: { socket_address: { address: '127.0.0.1', port_value: input.opsPort } },
                },
              },
            ],
          },
        ],
      },
    },
  ];
}
