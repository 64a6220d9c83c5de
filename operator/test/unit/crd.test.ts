import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { shopDeploymentCrd, toStructural } from '../../src/api/crd.js';
import { CRD_PATH, crdYaml } from '../../src/crd-file.js';

describe('CRD generated from the zod types', () => {
  const crd = shopDeploymentCrd();
  const version = crd.spec.versions[0]!;

  it('matches the file committed in the chart (run `npm run generate -w @shopstack/operator` after a type change)', () => {
    assert.equal(readFileSync(CRD_PATH, 'utf8'), crdYaml());
  });

  it('describes every field, so kubectl explain has something to say about each', () => {
    const undescribed: string[] = [];
    interface Node {
      description?: string;
      properties?: Record<string, Node>;
      items?: Node;
      additionalProperties?: Node | boolean;
    }
    const walk = (schema: Node, path: string) => {
      for (const [name, sub] of Object.entries(schema.properties ?? {})) {
        // The API server describes metadata itself and refuses a schema that says more than its type.
        if (path === '' && name === 'metadata') continue;
        if (!sub.description) undescribed.push(`${path}.${name}`);
        walk(sub, `${path}.${name}`);
      }
      if (schema.items) walk(schema.items, `${path}[]`);
      if (typeof schema.additionalProperties === 'object') walk(schema.additionalProperties, `${path}{}`);
    };
    walk(version.schema.openAPIV3Schema as Node, '');
    assert.deepEqual(undescribed, []);
  });

  it('has the short name, status subresource and printer columns kubectl shows', () => {
    assert.deepEqual(crd.spec.names.shortNames, ['shop']);
    assert.deepEqual(version.subresources, { status: {} });
    assert.deepEqual(
      version.additionalPrinterColumns.map((c) => c.name),
      ['Ready', 'Services', 'Edge', 'Reason', 'Age'],
    );
  });

  it('carries defaults and CEL rules into the OpenAPI schema', () => {
    const text = JSON.stringify(version.schema);
    for (const rule of [
      'quantity(self.limits.cpu).compareTo(quantity(self.requests.cpu)) >= 0',
      '!self.grafana.enabled || !has(self.prometheus) || !has(self.prometheus.enabled) || self.prometheus.enabled',
      'self.burst >= self.requestsPerSecond',
      'self.metadata.name.size() <= 40',
    ]) {
      assert.ok(text.includes(JSON.stringify(rule).slice(1, -1)), `missing rule ${rule}`);
    }
    const spec = version.schema.openAPIV3Schema.properties.spec as {
      required: string[];
      properties: Record<string, { default?: unknown }>;
    };
    assert.deepEqual(spec.required, ['secrets']);
    assert.deepEqual(spec.properties.edge?.default, {});
  });

  it('drops what structural schemas forbid and refuses unions', () => {
    assert.deepEqual(
      toStructural({
        type: 'object',
        additionalProperties: false,
        properties: { a: { type: 'integer', maximum: Number.MAX_SAFE_INTEGER } },
      }),
      {
        type: 'object',
        properties: { a: { type: 'integer' } },
      },
    );
    assert.throws(() => toStructural({ anyOf: [{ type: 'string' }, { type: 'integer' }] }), /not structural/);
  });

  it('round-trips through YAML', () => {
    assert.deepEqual(parse(crdYaml()), JSON.parse(JSON.stringify(crd)));
  });
});
