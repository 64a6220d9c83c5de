// Shapes shared by the admin API's route files (request parsing and the OpenAPI document).
import { z } from 'zod';

export const IdParams = z.object({ id: z.uuid() });

export const ProgressSchema = z.object({
  done: z.number(),
  total: z.number(),
  percent: z.number().min(0).max(100),
  etaSeconds: z.number().nullable(),
});

export const JobSchema = z.object({
  id: z.uuid(),
  kind: z.string(),
  params: z.record(z.string(), z.unknown()),
  status: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']),
  progress: ProgressSchema,
  attempts: z.number().int(),
  cancelRequested: z.boolean(),
  lastError: z.string().nullable(),
  requestedBy: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(512).optional(),
});

/** Why an admin acts: kept in the owner's audit record. */
export const ReasonBody = z.object({ reason: z.string().trim().min(3).max(500) });
