// The OpenAPI 3.1 document, built from the routes' own zod schemas.
import { z } from 'zod';
import { idempotencyKeyParameter } from './idempotency.js';
import { PROBLEM_CONTENT_TYPE } from './problem.js';
import type { RegisteredRoute } from './routes.js';

export interface OpenApiInfo {
  title: string;
  version: string;
  description?: string;
}

const problemSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string', format: 'uri' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: { field: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
};

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'openapi-3.0' });

const problemContent = {
  [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } },
};

function objectProperties(schema: z.ZodType): { properties: Record<string, unknown>; required: string[] } {
  const json = jsonSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
  return { properties: json.properties ?? {}, required: json.required ?? [] };
}

/** What the kit itself may answer on a route, whatever the handler does. */
function alwaysPossible({ path, spec }: RegisteredRoute): Record<number, string> {
  const statuses: Record<number, string> = {};
  if (spec.body || spec.query || spec.params || spec.idempotencyKey || path.includes(':')) {
    statuses[400] = 'Invalid input (problem+json naming each field)';
  }
  if (spec.body) {
    statuses[413] = 'The body is too large';
    statuses[415] = 'The body is not JSON';
  }
  if (spec.auth) statuses[401] = 'No valid access token';
  if (spec.auth && spec.auth !== true) statuses[403] = `Only for the roles ${spec.auth.join(', ')}`;
  return statuses;
}

export function buildOpenApi(info: OpenApiInfo, routes: RegisteredRoute[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const { method, path, spec } = route;
    const openApiPath = path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const parameters: unknown[] = [];
    const pathSchemas = spec.params ? objectProperties(spec.params).properties : {};
    for (const [name] of path.matchAll(/:([A-Za-z0-9_]+)/g)) {
      const schema = pathSchemas[name.slice(1)] ?? { type: 'string' };
      parameters.push({ name: name.slice(1), in: 'path', required: true, schema });
    }
    if (spec.query) {
      const query = objectProperties(spec.query);
      for (const [name, schema] of Object.entries(query.properties)) {
        parameters.push({ name, in: 'query', required: query.required.includes(name), schema });
      }
    }
    if (spec.idempotencyKey) parameters.push(idempotencyKeyParameter);
    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(spec.responses)) {
      // A declared error status without a schema of its own answers with a problem document.
      const schema = response.schema
        ? { 'application/json': { schema: jsonSchema(response.schema, 'output') } }
        : Number(status) >= 400
          ? problemContent
          : undefined;
      responses[status] = { description: response.description, ...(schema ? { content: schema } : {}) };
    }
    for (const [status, description] of Object.entries(alwaysPossible(route))) {
      responses[status] ??= { description, content: problemContent };
    }
    responses.default = { description: 'Error', content: problemContent };
    paths[openApiPath] ??= {};
    paths[openApiPath][method] = {
      summary: spec.summary,
      ...(spec.tags ? { tags: spec.tags } : {}),
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(spec.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: jsonSchema(spec.body, 'input') } },
            },
          }
        : {}),
      ...(spec.auth ? { security: [{ bearer: [] }] } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info,
    paths,
    components: {
      schemas: { Problem: problemSchema },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
  };
}
