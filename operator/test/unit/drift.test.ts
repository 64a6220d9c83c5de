import assert from 'node:assert/strict';
import { AppliedMemo, isSubset } from '../../src/controller/drift.js';

describe('drift detection', () => {
  const desired = {
    spec: { replicas: 2, template: { containers: [{ name: 'a', ports: [{ containerPort: 80 }] }] } },
  };

  it('ignores fields the server adds', () => {
    const observed = {
      metadata: { resourceVersion: '9' },
      spec: {
        replicas: 2,
        progressDeadlineSeconds: 600,
        template: {
          containers: [
            { name: 'a', ports: [{ containerPort: 80, protocol: 'TCP' }], imagePullPolicy: 'IfNotPresent' },
          ],
        },
      },
      status: { readyReplicas: 2 },
    };
    assert.equal(isSubset(desired, observed), true);
  });

  it('sees a changed value, a removed field and a different list length', () => {
    assert.equal(isSubset(desired, { spec: { replicas: 5, template: desired.spec.template } }), false);
    assert.equal(isSubset(desired, { spec: { template: desired.spec.template } }), false);
    assert.equal(isSubset(desired, { spec: { replicas: 2, template: { containers: [] } } }), false);
  });

  it('treats an omitted empty object as equal', () => {
    assert.equal(isSubset({ a: { b: {} } }, { a: {} }), true);
  });

  it('remembers an apply until the object changes', () => {
    const memo = new AppliedMemo();
    memo.record('ns/shop', 'k', 'h1', '10');
    assert.equal(memo.isCurrent('ns/shop', 'k', 'h1', '10'), true);
    assert.equal(memo.isCurrent('ns/shop', 'k', 'h1', '11'), false, 'someone else changed it');
    assert.equal(memo.isCurrent('ns/shop', 'k', 'h2', '10'), false, 'the operator wants something else now');
    memo.forget('ns/shop');
    assert.equal(memo.isCurrent('ns/shop', 'k', 'h1', '10'), false, 'forgotten with its shop');
  });
});
