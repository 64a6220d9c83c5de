// The ShopDeployment status, written only by the operator through the status subresource.
import { z } from 'zod';

export const CONDITION_TYPES = ['Ready', 'Reconciling', 'Stalled'] as const;

export const Condition = z.object({
  type: z.string().max(64),
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string().max(128),
  message: z.string().max(4096),
  lastTransitionTime: z.string().max(64),
  observedGeneration: z.int().min(0).optional(),
});

export const ComponentStatus = z.object({
  name: z
    .string()
    .max(64)
    .describe('users, catalog, orders, payments, notifications, edge, prometheus or grafana.'),
  desired: z.int().min(0),
  ready: z.int().min(0),
});

export const ShopDeploymentStatus = z.object({
  observedGeneration: z.int().min(0).optional(),
  conditions: z
    .array(Condition)
    .max(8)
    .optional()
    .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] }),
  components: z
    .array(ComponentStatus)
    .max(16)
    .optional()
    .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] }),
  readyServices: z.string().max(16).optional().describe('Ready shop services out of those wanted, e.g. 5/5.'),
  edge: z.object({ url: z.string().max(512).optional() }).optional(),
});

export type Condition = z.infer<typeof Condition>;
export type ComponentStatus = z.infer<typeof ComponentStatus>;
export type ShopDeploymentStatus = z.infer<typeof ShopDeploymentStatus>;
