import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateApplication, type ApplicationDeclaration } from '@citadel/infra/workloads';
import { ORDERS_APPLICATION } from '../../examples/orders/application.js';

const guide = readFileSync(new URL('../../docs/bring-your-own-service.md', import.meta.url), 'utf8');

/** The first ```ts block after `heading` in the guide, evaluated as the object literal it is. */
function declarationAfter(heading: string): unknown {
  const from = guide.indexOf(heading);
  if (from < 0) throw new Error(`the guide has no ${JSON.stringify(heading)}`);
  const block = /```ts\n([\s\S]*?)\n```/.exec(guide.slice(from));
  if (!block?.[1]) throw new Error(`no ts block after ${JSON.stringify(heading)}`);
  return new Function(`return (${block[1]});`)() as unknown;
}

function withWorkload(workload: unknown): ApplicationDeclaration {
  return validateApplication({ workloads: [...ORDERS_APPLICATION.workloads, workload] }, 'the guide');
}

describe('docs/bring-your-own-service.md', () => {
  it('declares an internal service the schema accepts beside the orders application', () => {
    const internal = declarationAfter('**Internal services.**');

    const application = withWorkload(internal);

    expect(application.workloads.at(-1)).toMatchObject({
      kind: 'internal',
      name: 'orders-pricing',
      port: 9000,
    });
  });

  it('names callers the schema would refuse if they were not workloads of the application', () => {
    const internal = declarationAfter('**Internal services.**') as { calledBy: string[] };

    expect(() => withWorkload({ ...internal, calledBy: ['orders-nobody'] })).toThrow(/orders-nobody/);
  });

  it('no longer lists internal services among the parts not built', () => {
    const notBuilt = guide.slice(guide.indexOf('## Not built yet'));

    expect(notBuilt).not.toMatch(/internal/i);
  });
});
