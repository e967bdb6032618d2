import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/index.js';
import {
  serviceRoutesIn,
  validateApplication,
  type ApplicationDeclaration,
  type ServiceWorkload,
} from '../../config/workloads.js';

const service = (name: string, routing: Record<string, unknown>, healthPath = '/health'): ServiceWorkload =>
  ({
    kind: 'service',
    name,
    image: { repository: 'orders/orders-api', tag: 'v1.4.2' },
    port: 8080,
    healthPath,
    routing: { priority: 10, ...routing },
    size: { cpu: 256, memoryMiB: 512, minTasks: 1, maxTasks: 2 },
  }) as ServiceWorkload;

const staging = {
  name: 'staging',
  zoneName: 'staging.example.com',
  apiDomainName: 'api.staging.example.com',
};

function refusal(act: () => unknown): ConfigError {
  try {
    act();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const routesOf = (...services: ServiceWorkload[]) =>
  serviceRoutesIn(validateApplication({ workloads: services }, 'orders'), staging, 'orders');

describe('service routing by host', () => {
  it('puts a host label under each environment’s zone, and takes hosts.<environment> over it there', () => {
    const application = validateApplication(
      { workloads: [service('shop', { host: 'shop', hosts: { prod: 'shop.example.com' } })] },
      'orders',
    );
    expect(serviceRoutesIn(application, staging)).toEqual([
      { name: 'shop', host: 'shop.staging.example.com', priority: 10 },
    ]);
    expect(
      serviceRoutesIn(application, {
        name: 'prod',
        zoneName: 'example.com',
        apiDomainName: 'api.example.com',
      }),
    ).toEqual([{ name: 'shop', host: 'shop.example.com', priority: 10 }]);
  });

  it('routes by host and path together, and by path alone as before', () => {
    expect(
      routesOf(
        service('shop', { host: 'shop', pathPrefix: '/orders', priority: 1 }, '/orders/health'),
        service('admin', { pathPrefix: '/admin', priority: 2 }, '/admin/health'),
      ),
    ).toEqual([
      { name: 'shop', host: 'shop.staging.example.com', pathPrefix: '/orders', priority: 1 },
      { name: 'admin', pathPrefix: '/admin', priority: 2 },
    ]);
  });

  it('lets two services share a host on different paths, but not the same host and path', () => {
    expect(
      routesOf(
        service('aa', { host: 'shop', pathPrefix: '/a', priority: 1 }, '/a'),
        service('bb', { host: 'shop', pathPrefix: '/b', priority: 2 }, '/b'),
      ),
    ).toHaveLength(2);
    const error = refusal(() =>
      routesOf(service('aa', { host: 'shop', priority: 1 }), service('bb', { host: 'shop', priority: 2 })),
    );
    expect(error.field).toBe('workloads[1].routing.host');
    expect(error.message).toContain('workload aa already serves shop.staging.example.com');
  });

  it.each([
    { what: 'Unicode (IDN)', host: 'shöp', problem: 'internationalized' },
    { what: 'a Cyrillic look-alike', host: 'shоp', problem: 'internationalized' },
    { what: 'punycode', host: 'xn--shp-sna', problem: 'punycode' },
    { what: 'a wildcard', host: '*', problem: 'wildcards are not supported' },
    { what: 'a wildcard label', host: '*.shop', problem: 'wildcards are not supported' },
    { what: 'a trailing dot', host: 'shop.', problem: 'remove the trailing dot: shop' },
    { what: 'upper case', host: 'Shop', problem: 'write the host in lower case: shop' },
    { what: 'a 64-character label', host: 'a'.repeat(64), problem: 'at most 63 characters' },
    { what: 'an empty label', host: 'shop..eu', problem: 'no empty label' },
    { what: 'a leading hyphen', host: '-shop', problem: 'hyphen' },
    { what: 'an underscore', host: 'sh_op', problem: 'lower-case letters, digits, hyphens and dots only' },
    { what: 'a port', host: 'shop:443', problem: 'lower-case letters, digits, hyphens and dots only' },
    { what: 'a path', host: 'shop/admin', problem: 'lower-case letters, digits, hyphens and dots only' },
    { what: 'a space', host: 'shop ', problem: 'lower-case letters, digits, hyphens and dots only' },
    { what: 'a newline (header injection)', host: 'shop\r\nX-Admin: 1', problem: 'internationalized' },
    { what: 'an empty name', host: '', problem: 'give a host name' },
  ])('fails on a host with $what, naming the field, the value and the fix', ({ host, problem }) => {
    const error = refusal(() => routesOf(service('shop', { host })));
    expect(error.field).toBe('workloads[0].routing.host');
    expect(error.message).toContain('workloads[0].routing.host');
    expect(error.message).toContain(problem);
  });

  it.each([
    {
      what: 'outside the zone',
      host: 'shop.example.org',
      problem: 'outside the staging DNS zone staging.example.com',
    },
    { what: 'a suffix look-alike of the zone', host: 'shopstaging.example.com', problem: 'outside' },
    { what: 'the API’s own name', host: 'api.staging.example.com', problem: "the API's own name" },
    {
      what: 'longer than a host-header rule matches',
      host: `${'a.'.repeat(60)}staging.example.com`,
      problem: 'at most 128 characters',
    },
    { what: 'upper case', host: 'Shop.staging.example.com', problem: 'lower case' },
  ])('fails on hosts.staging $what', ({ host, problem }) => {
    const error = refusal(() => routesOf(service('shop', { hosts: { staging: host } })));
    expect(error.field).toBe('workloads[0].routing.hosts.staging');
    expect(error.message).toContain(problem);
  });

  it('fails when a service has neither path nor host, naming routing', () => {
    const error = refusal(() => validateApplication({ workloads: [service('shop', {})] }, 'orders'));
    expect(error.field).toBe('workloads[0].routing');
    expect(error.message).toContain('give a pathPrefix, a host');
  });

  it('fails when hosts name other environments only and there is no path, naming the environment', () => {
    const error = refusal(() => routesOf(service('shop', { hosts: { prod: 'shop.example.com' } })));
    expect(error.field).toBe('workloads[0].routing.hosts');
    expect(error.message).toContain('add hosts.staging');
  });

  it('fails on two services with one listener priority, whatever their hosts', () => {
    const error = refusal(() =>
      routesOf(service('aa', { host: 'a', priority: 7 }), service('bb', { host: 'b', priority: 7 })),
    );
    expect(error.field).toBe('workloads[1].routing.priority');
  });

  it('fails past the names one certificate holds', () => {
    const many = Array.from({ length: 11 }, (_, index) =>
      service(`s${index}x`, { host: `s${index}`, priority: index + 1 }),
    );
    const error = refusal(() => routesOf(...many));
    expect(error.field).toBe('workloads[10].routing.host');
    expect(error.message).toContain('more than 10 service hosts');
  });

  it('gives every accepted host inside the zone, in lower-case ASCII, at most 128 characters', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 0, maxLength: 80, unit: 'binary' }), (label) => {
        let application: ApplicationDeclaration;
        try {
          application = validateApplication({ workloads: [service('shop', { host: label })] }, 'orders');
          const [route] = serviceRoutesIn(application, staging);
          expect(route?.host).toMatch(/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+staging\.example\.com$/);
          expect(route?.host?.length).toBeLessThanOrEqual(128);
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
        }
      }),
      { examples: [['shop'], ['a.b'], ['Ünicode'], ['*'], ['xn--a'], ['a-'], ['.']] },
    );
  });
});
