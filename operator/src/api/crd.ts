// Generates the CustomResourceDefinition from the zod schemas, so the types are written once.
import { z } from 'zod';
import { GROUP, KIND, PLURAL, VERSION } from './constants.js';
import { ShopDeploymentSpec } from './spec.js';
import { ShopDeploymentStatus } from './status.js';

type Schema = { [key: string]: unknown };

// zod marks unbounded integers with the JavaScript safe-integer range; Kubernetes integers are int64.
const SAFE_INTEGER_BOUNDS = new Set([Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]);

/**
 * Turns zod's OpenAPI 3.0 output into a Kubernetes structural schema: drops what structural schemas
 * forbid or what zod adds for JavaScript's sake, and recurses into every sub-schema.
 */
export function toStructural(schema: Schema): Schema {
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$schema' || key === 'id') continue;
    if (key === 'additionalProperties' && value === false) continue;
    if ((key === 'minimum' || key === 'maximum') && SAFE_INTEGER_BOUNDS.has(value as number)) continue;
    if (key === 'properties') {
      out.properties = Object.fromEntries(
        Object.entries(value as Record<string, Schema>).map(([name, sub]) => [name, toStructural(sub)]),
      );
    } else if ((key === 'items' || key === 'additionalProperties') && typeof value === 'object') {
      out[key] = toStructural(value as Schema);
    } else if (key === 'anyOf' || key === 'oneOf' || key === 'allOf') {
      throw new Error(`${key} is not structural; model the field without unions`);
    } else {
      out[key] = value;
    }
  }
  return out;
}

function schemaOf(type: z.ZodType, description: string): Schema {
  const schema = z.toJSONSchema(type, { target: 'openapi-3.0', io: 'input', unrepresentable: 'throw' });
  return { ...toStructural(schema as Schema), description };
}

export function shopDeploymentCrd() {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${PLURAL}.${GROUP}`, labels: { 'app.kubernetes.io/part-of': 'shopstack' } },
    spec: {
      group: GROUP,
      scope: 'Namespaced',
      names: {
        kind: KIND,
        listKind: `${KIND}List`,
        plural: PLURAL,
        singular: 'shopdeployment',
        shortNames: ['shop'],
        categories: ['shopstack'],
      },
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
            {
              name: 'Services',
              type: 'string',
              description: 'Ready shop services',
              jsonPath: '.status.readyServices',
            },
            { name: 'Edge', type: 'string', description: 'Edge endpoint', jsonPath: '.status.edge.url' },
            {
              name: 'Reason',
              type: 'string',
              priority: 1,
              jsonPath: '.status.conditions[?(@.type=="Ready")].reason',
            },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
          schema: {
            openAPIV3Schema: {
              description: 'A whole shop: its services, Envoy edge, Prometheus and Grafana.',
              type: 'object',
              required: ['spec'],
              properties: {
                apiVersion: { type: 'string', description: 'shopstack.io/v1alpha1' },
                kind: { type: 'string', description: 'ShopDeployment' },
                // Kubernetes describes metadata itself and refuses anything else here.
                metadata: { type: 'object' },
                spec: schemaOf(
                  ShopDeploymentSpec,
                  'The shop as it should run; the operator makes the cluster match it.',
                ),
                status: schemaOf(ShopDeploymentStatus, 'What the operator last saw.'),
              },
              'x-kubernetes-validations': [
                {
                  // Children are named <shop>-<component>; Service names are DNS labels of at most 63.
                  rule: 'self.metadata.name.size() <= 40',
                  message:
                    'metadata.name must be at most 40 characters: it prefixes the names of the objects the shop creates',
                  reason: 'FieldValueInvalid',
                },
                {
                  rule: "self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')",
                  message:
                    'metadata.name must start with a letter and hold only lowercase letters, digits and dashes (it names Services)',
                },
              ],
            },
          },
        },
      ],
    },
  };
}
