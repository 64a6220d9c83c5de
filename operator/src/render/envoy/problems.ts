// Replies the edge makes itself (no token, rate limited, no healthy upstream, unknown route) in the same
// application/problem+json shape the services use, so a client handles one error format.
// Upstream responses are never rewritten: mappers apply to Envoy's local replies only.

const PROBLEMS: { status: number; type: string; title: string }[] = [
  {
    status: 400,
    type: 'bad-request',
    title: 'The request is malformed (for example an escaped slash in the path)',
  },
  { status: 401, type: 'unauthenticated', title: 'A valid access token is required' },
  { status: 403, type: 'forbidden', title: 'The request is not allowed' },
  { status: 404, type: 'not-found', title: 'No such route' },
  { status: 413, type: 'payload-too-large', title: 'The request body is too large' },
  { status: 429, type: 'rate-limited', title: 'Too many requests; slow down' },
  { status: 503, type: 'unavailable', title: 'The service is unavailable; try again shortly' },
  { status: 504, type: 'upstream-timeout', title: 'The service did not answer in time' },
];

export function localReplyConfig() {
  return {
    mappers: PROBLEMS.map(({ status, type, title }) => ({
      filter: {
        status_code_filter: {
          comparison: { op: 'EQ', value: { default_value: status, runtime_key: `edge.problem_${status}` } },
        },
      },
      body_format_override: {
        json_format: {
          type: `https://shopstack.dev/problems/edge/${type}`,
          title,
          status,
          detail: '%LOCAL_REPLY_BODY%',
          instance: '%REQ(:PATH)%',
        },
        content_type: 'application/problem+json',
      },
    })),
  };
}
