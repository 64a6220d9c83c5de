// The ShopDeployment status, written only by the operator through the status subresource.
import { z } from 'zod';

export const CONDITION_TYPES = ['Ready', 'Reconciling', 'Stalled'] as const;

export const Condition = z.object({
  type: z.string().max(64).describe('Ready, Reconciling or Stalled.'),
  status: z.enum(['True', 'False', 'Unknown']).describe('Whether the condition holds.'),
  reason: z.string().max(128).describe('Why, in one CamelCase word.'),
  message: z.string().max(4096).describe('Why, for a person.'),
  lastTransitionTime: z.string().max(64).describe('When status last changed (RFC 3339).'),
  observedGeneration: z.int().min(0).optional().describe('The spec generation the condition was set for.'),
});

export const ComponentStatus = z.object({
  name: z
    .string()
    .max(64)
    .describe('users, catalog, orders, payments, notifications, backoffice, edge, prometheus or grafana.'),
  desired: z.int().min(0).describe('Pods wanted.'),
  ready: z.int().min(0).describe('Pods ready.'),
});

export const ShopDeploymentStatus = z.object({
  observedGeneration: z.int().min(0).optional().describe('The spec generation the operator last acted on.'),
  conditions: z
    .array(Condition)
    .max(8)
    .optional()
    .describe('Ready, Reconciling and Stalled, as in every well-behaved controller.')
    .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] }),
  components: z
    .array(ComponentStatus)
    .max(16)
    .optional()
    .describe('Pods wanted and ready, per component.')
    .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] }),
  readyServices: z.string().max(16).optional().describe('Ready shop services out of those wanted, e.g. 5/5.'),
  edge: z
    .object({ url: z.string().max(512).optional().describe('Where the edge answers inside the cluster.') })
    .optional()
    .describe('The edge as clients reach it.'),
});

export type Condition = z.infer<typeof Condition>;
export type ComponentStatus = z.infer<typeof ComponentStatus>;
export type ShopDeploymentStatus = z.infer<typeof ShopDeploymentStatus>;
