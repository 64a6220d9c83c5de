// The ShopDeployment spec: the one source of truth. The CRD's OpenAPI schema (with its CEL rules and
// defaults) is generated from these zod schemas, and the operator parses what it reads with them, so
// the two can never disagree.
import { z } from 'zod';
import { RELEASE_VERSION, type ShopService } from './constants.js';

// Kubernetes' own quantity grammar, so a typo fails at admission instead of at pod creation.
const QUANTITY =
  /^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$/;
const DNS_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const quantity = z.string().max(32).regex(QUANTITY);
const cpu = quantity.describe('CPU, as a Kubernetes quantity (e.g. 100m, 1).');
const memory = quantity.describe('Memory, as a Kubernetes quantity (e.g. 128Mi, 1Gi).');
const image = z.string().min(1).max(255).regex(/^\S+$/);

function limitNotBelowRequest(resource: 'cpu' | 'memory') {
  return {
    rule:
      `!has(self.requests) || !has(self.limits) || !has(self.requests.${resource}) || ` +
      `!has(self.limits.${resource}) || ` +
      `quantity(self.limits.${resource}).compareTo(quantity(self.requests.${resource})) >= 0`,
    message: `limits.${resource} must be at least requests.${resource}`,
    fieldPath: `.limits.${resource}`,
    reason: 'FieldValueInvalid',
  };
}

const resourceList = z.object({ cpu: cpu.optional(), memory: memory.optional() });

export const Resources = z
  .object({
    requests: resourceList.optional().describe('What the scheduler reserves for each container.'),
    limits: resourceList.optional().describe('The most each container may use.'),
  })
  .describe('Container resources, as in a Pod spec.')
  .meta({ 'x-kubernetes-validations': [limitNotBelowRequest('cpu'), limitNotBelowRequest('memory')] });

const defaultServiceResources = { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } };

export const SecretKeyRef = z.object({
  name: z.string().min(1).max(253).regex(DNS_NAME).describe('Secret in the ShopDeployment namespace.'),
  key: z.string().min(1).max(253).default('url').describe('Key whose value is the connection URL.'),
});

const serviceSpec = (defaultReplicas: number) =>
  z.object({
    replicas: z
      .int()
      .min(0)
      .max(100)
      .default(defaultReplicas)
      .describe('Pods of this service; 0 scales it down.'),
    image: image
      .optional()
      .describe('Container image; defaults to <spec.images.registry>/<service>:<spec.images.tag>.'),
    resources: Resources.default(defaultServiceResources),
    database: SecretKeyRef.optional().describe(
      "Secret with the URL of this service's own database (PostgreSQL; MongoDB for payments); " +
        'defaults to <shop>-<service>-database, key url.',
    ),
  });

export const ServiceSpec = serviceSpec(2);

const RateLimit = z
  .object({
    requestsPerSecond: z.int().min(1).max(100000).describe('Sustained requests per second per client IP.'),
    burst: z.int().min(1).max(1000000).describe('Requests a client may send at once before being limited.'),
  })
  .meta({
    'x-kubernetes-validations': [
      {
        rule: 'self.burst >= self.requestsPerSecond',
        message: 'burst must be at least requestsPerSecond',
        fieldPath: '.burst',
      },
    ],
  });

export const EdgeSpec = z.object({
  replicas: z
    .int()
    .min(0)
    .max(100)
    .default(2)
    .describe('Envoy pods; more than one gets a PodDisruptionBudget.'),
  image: image.default('envoyproxy/envoy:v1.40.0').describe('Envoy image.'),
  port: z.int().min(1024).max(65535).default(8080).describe('Port of the edge listener and Service.'),
  serviceType: z
    .enum(['ClusterIP', 'NodePort', 'LoadBalancer'])
    .default('ClusterIP')
    .describe('Type of the edge Service: how clients outside the cluster reach the shop.'),
  resources: Resources.default({ requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '256Mi' } }),
  rateLimit: RateLimit.default({ requestsPerSecond: 50, burst: 100 }).describe(
    'Limit for every route, per client IP.',
  ),
  authRateLimit: RateLimit.default({ requestsPerSecond: 2, burst: 10 }).describe(
    'Stricter limit for register, login and refresh, per client IP (brute-force protection).',
  ),
  userRateLimit: RateLimit.default({ requestsPerSecond: 20, burst: 60 }).describe(
    'Limit per signed-in user (the access token subject), whatever address the requests come from.',
  ),
  trustedProxyHops: z
    .int()
    .min(0)
    .max(10)
    .default(0)
    .describe(
      'Load balancers in front of the edge that append to X-Forwarded-For; the client address is taken that many entries from the right.',
    ),
  // Stateless apart from Redis (secrets.redis): no database of its own.
  rateLimitService: ServiceSpec.omit({ database: true })
    .prefault({})
    .describe(
      'The global rate limit service every edge replica asks (Envoy ratelimit.v3 API on Redis; secrets.redis).',
    ),
  requestTimeoutSeconds: z
    .int()
    .min(1)
    .max(300)
    .default(15)
    .describe('How long the edge waits for a service to answer a request.'),
  tls: z
    .object({
      enabled: z
        .boolean()
        .default(true)
        .describe(
          'Serve the edge listener over TLS only, with HSTS. Turn off only behind a TLS-terminating proxy.',
        ),
      secretName: z
        .string()
        .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
        .max(253)
        .optional()
        .describe(
          'A kubernetes.io/tls Secret (tls.crt, tls.key) of this namespace; default <shop>-edge-tls.',
        ),
    })
    .prefault({})
    .describe('TLS on the edge listener.'),
  cors: z
    .object({
      allowedOrigins: z
        .array(
          z
            .string()
            .regex(
              /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/,
              'an origin: scheme://host[:port], lower case, no path',
            )
            .max(256),
        )
        .max(32)
        .default([])
        .describe('Browser origins allowed to call the API cross-origin; none by default (browsers refuse).'),
    })
    .prefault({})
    .describe('Cross-origin requests from browsers: deny unless the origin is listed.'),
  jwt: z
    .object({
      issuer: z
        .string()
        .min(1)
        .max(512)
        .default('shopstack-users')
        .describe('Expected `iss` of access tokens.'),
      audiences: z
        .array(z.string().min(1).max(256))
        .min(1)
        .max(16)
        .default(['shopstack'])
        .describe('Accepted `aud` values.'),
    })
    .prefault({})
    .describe(
      'What the edge accepts as an access token (signed by the users service, checked against its JWKS).',
    )
    .meta({
      'x-kubernetes-validations': [
        {
          rule: '!has(self.audiences) || self.audiences.all(a, self.audiences.exists_one(b, b == a))',
          message: 'jwt.audiences must not repeat a value',
          fieldPath: '.audiences',
        },
      ],
    }),
});

const PrometheusSpec = z.object({
  enabled: z
    .boolean()
    .default(true)
    .describe('Run a Prometheus that scrapes the shop and evaluates its alert rules.'),
  image: image.default('prom/prometheus:v3.5.0').describe('Prometheus image.'),
  retention: z
    .string()
    .max(16)
    .regex(/^[0-9]+(ms|s|m|h|d|w|y)$/)
    .default('15d')
    .describe('How long samples are kept, e.g. 15d.'),
  scrapeInterval: z
    .string()
    .max(8)
    .regex(/^[1-9][0-9]*(s|m)$/)
    .default('15s')
    .describe('How often every target is scraped and the rules evaluated, e.g. 15s or 1m.'),
  resources: Resources.default({ requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } }),
});

const GrafanaSpec = z.object({
  enabled: z.boolean().default(true).describe("Run a Grafana with the shop's dashboards and data sources."),
  adminPasswordSecret: SecretKeyRef.optional().describe(
    'Secret with the admin password; without it Grafana allows anonymous read-only viewing and no logins.',
  ),
  image: image.default('grafana/grafana:12.1.0').describe('Grafana image.'),
  lokiUrl: z
    .url()
    .max(2048)
    .optional()
    .describe("A Loki holding the pods' logs: Grafana then links every trace to its logs by trace id."),
  resources: Resources.default({ requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '512Mi' } }),
});

const port = z.int().min(1).max(65535);

const TracingSpec = z
  .object({
    otlp: z
      .object({
        host: z.string().min(1).max(253).regex(DNS_NAME).describe('Host name of the collector.'),
        grpcPort: port.default(4317).describe('Its OTLP/gRPC port (the edge sends there).'),
        httpPort: port.default(4318).describe('Its OTLP/HTTP port (the services send there).'),
      })
      .optional()
      .describe('An OTLP collector of your own: services export OTLP/HTTP to it, the edge OTLP/gRPC.'),
    jaeger: z
      .object({
        enabled: z
          .boolean()
          .default(false)
          .describe('Run a Jaeger (in-memory) for this shop and send traces to it.'),
        image: image.default('jaegertracing/jaeger:2.13.0').describe('Jaeger image.'),
        resources: Resources.default({
          requests: { cpu: '50m', memory: '128Mi' },
          limits: { memory: '1Gi' },
        }),
      })
      .prefault({})
      .describe('A Jaeger the operator runs for this shop.'),
  })
  .describe('Where traces go; with neither otlp nor jaeger, trace ids are only propagated and logged.')
  .meta({
    'x-kubernetes-validations': [
      {
        rule: '!has(self.otlp) || !has(self.jaeger) || !has(self.jaeger.enabled) || !self.jaeger.enabled',
        message: 'name an otlp collector or enable jaeger, not both',
        fieldPath: '.otlp',
      },
    ],
  });

const AlertingSpec = z.object({
  enabled: z
    .boolean()
    .default(true)
    .describe("Run an Alertmanager that the shop's Prometheus sends its alerts to."),
  image: image.default('prom/alertmanager:v0.28.1').describe('Alertmanager image.'),
  webhooks: z
    .array(
      z.object({
        name: z.string().min(1).max(63).regex(DNS_NAME).describe('Name of the receiver in Alertmanager.'),
        url: z
          .url()
          .max(2048)
          .describe("Receives Alertmanager's webhook JSON for every alert, firing and resolved."),
      }),
    )
    .max(10)
    .default([])
    .describe('Where alerts are sent; without any, alerts are only shown by Alertmanager.'),
  resources: Resources.default({ requests: { cpu: '20m', memory: '32Mi' }, limits: { memory: '128Mi' } }),
});

export const ObservabilitySpec = z
  .object({
    prometheus: PrometheusSpec.prefault({}).describe("The shop's Prometheus."),
    grafana: GrafanaSpec.prefault({}).describe("The shop's Grafana."),
    tracing: TracingSpec.prefault({}),
    alerting: AlertingSpec.prefault({}).describe('Alertmanager and where alerts go.'),
  })
  .describe('Metrics, dashboards, traces and alerts for the shop.')
  .meta({
    'x-kubernetes-validations': [
      {
        // has(): the API server also checks this rule against the default ({}), before nested defaults.
        rule:
          '!has(self.grafana) || !has(self.grafana.enabled) || !self.grafana.enabled || ' +
          '!has(self.prometheus) || !has(self.prometheus.enabled) || self.prometheus.enabled',
        message:
          'grafana needs prometheus as its datasource: enable observability.prometheus or disable observability.grafana',
        fieldPath: '.grafana.enabled',
      },
    ],
  });

const LABEL_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const labelValue = z
  .string()
  .max(63)
  .regex(/^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/);

export const Placement = z.object({
  nodeSelector: z
    .record(z.string().max(316).regex(LABEL_KEY), labelValue)
    .optional()
    .describe('Node labels the pods require, as in a Pod spec.'),
  tolerations: z
    .array(
      z.object({
        key: z
          .string()
          .max(316)
          .regex(LABEL_KEY)
          .optional()
          .describe('Taint key; empty with Exists matches every taint.'),
        operator: z
          .enum(['Exists', 'Equal'])
          .optional()
          .describe('Exists, or Equal (the default) to match value.'),
        value: labelValue.optional().describe('Taint value, with operator Equal.'),
        effect: z
          .enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute'])
          .optional()
          .describe('Taint effect to tolerate; empty tolerates every effect.'),
      }),
    )
    .max(16)
    .optional()
    .describe('Taints the pods tolerate, as in a Pod spec.'),
});

const servicesShape = {
  users: ServiceSpec.prefault({}).describe('The users service.'),
  catalog: ServiceSpec.prefault({}).describe('The catalog service.'),
  orders: ServiceSpec.prefault({}).describe('The orders service.'),
  payments: ServiceSpec.prefault({}).describe('The payments service.'),
  notifications: ServiceSpec.prefault({}).describe('The notifications service.'),
  backoffice: ServiceSpec.prefault({}).describe(
    'The back office: the admin API and the system worker (jobs, reports, retention, anomalies).',
  ),
} satisfies Record<ShopService, unknown>;

const dailyLimit = z.int().min(1).max(1_000_000_000_000_000);

const PaymentsSpec = z.object({
  provider: z
    .enum(['none', 'sandbox'])
    .default('none')
    .describe(
      'Who moves money in and out. none refuses top-ups and withdrawals. sandbox accepts test cards ' +
        '(tok_*), so customers can create money with it: only for sandbox shops, never by default.',
    ),
  dailyLimits: z
    .object({
      topUpMinor: dailyLimit
        .default(100_000)
        .describe('Top-ups per user, currency and UTC day, in minor units.'),
      withdrawalMinor: dailyLimit
        .default(100_000)
        .describe('Withdrawals per user, currency and UTC day, in minor units.'),
    })
    .prefault({})
    .describe('The most one user may move in or out per currency and UTC day.'),
});

export const ShopDeploymentSpec = z.object({
  images: z
    .object({
      registry: z
        .string()
        .min(1)
        .max(200)
        .default('ghcr.io/shopstack')
        .describe('Registry (and path) the ShopStack images are pulled from.'),
      tag: z
        .string()
        .min(1)
        .max(128)
        .regex(/^[\w][\w.-]*$/)
        .default(RELEASE_VERSION)
        .describe("Tag of every ShopStack image; defaults to the operator's own release."),
      pullPolicy: z
        .enum(['Always', 'IfNotPresent', 'Never'])
        .default('IfNotPresent')
        .describe('imagePullPolicy of every ShopStack container.'),
    })
    .prefault({})
    .describe('Where the ShopStack images come from.'),
  services: z
    .object(servicesShape)
    .prefault({})
    .describe('The shop services: replicas, image, resources and database of each.'),
  edge: EdgeSpec.prefault({}).describe('The Envoy edge: the only way into the shop from outside.'),
  payments: PaymentsSpec.prefault({}).describe('How money enters and leaves the shop.'),
  secrets: z
    .object({
      rabbitmq: SecretKeyRef.describe(
        'RabbitMQ (AMQP URL) carrying the saga commands and integration events.',
      ),
      redis: SecretKeyRef.describe(
        'Redis holding the edge rate limit buckets, shared by every edge replica.',
      ),
      paymentsWebhook: SecretKeyRef.extend({
        key: z.string().min(1).max(253).default('secret').describe('Key whose value is the secret.'),
      }).describe('HMAC secret (at least 16 characters) that signs the payment provider webhooks.'),
      signingKeys: SecretKeyRef.extend({
        key: z.string().min(1).max(253).default('key').describe('Key whose value is the encryption key.'),
      })
        .optional()
        .describe("64 hex characters that seal the users service's token signing keys at rest."),
      apiKeyPepper: SecretKeyRef.extend({
        key: z.string().min(1).max(253).default('pepper').describe('Key whose value is the pepper.'),
      })
        .optional()
        .describe(
          'Secret (at least 32 characters) under which the users service stores API keys (HMAC-SHA256); ' +
            'without it the shop issues no API keys.',
        ),
      // Required: the notifications service runs in every shop and cannot start without them.
      smtp: SecretKeyRef.extend({
        key: z.string().min(1).max(253).default('url').describe('Key whose value is the SMTP URL.'),
      }).describe(
        'SMTP server the notifications service sends email through: smtps://user:password@host:port.',
      ),
      unsubscribeSigning: SecretKeyRef.extend({
        key: z.string().min(1).max(253).default('secret').describe('Key whose value is the secret.'),
      }).describe('Secret (at least 32 characters) that signs the unsubscribe links in emails.'),
      webhookSecrets: SecretKeyRef.extend({
        key: z.string().min(1).max(253).default('key').describe('Key whose value is the encryption key.'),
      })
        .optional()
        .describe(
          "64 hex characters that seal the notifications service's webhook signing secrets at rest; " +
            'without it they are stored as they are (a warning says so).',
        ),
    })
    .describe(
      'Where the services find their broker and secrets, in Secrets of this namespace (each service ' +
        'finds its database through spec.services.<service>.database).',
    ),
  observability: ObservabilitySpec.prefault({}),
  placement: Placement.optional().describe(
    "Where the shop's pods run, for every Deployment the operator makes.",
  ),
});

export type ShopDeploymentSpec = z.infer<typeof ShopDeploymentSpec>;
export type ServiceSpec = z.infer<typeof ServiceSpec>;
export type EdgeSpec = z.infer<typeof EdgeSpec>;
export type Resources = z.infer<typeof Resources>;
