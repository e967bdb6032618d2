import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.js';

/** Fixed so a failure reproduces; FUZZ_SEED and FUZZ_RUNS explore further. */
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_130);
const RUNS = Number(process.env.FUZZ_RUNS ?? 2_500);

interface Route {
  readonly method: string;
  readonly url: string;
}

interface FieldSchema {
  readonly type?: string;
  readonly format?: string;
  readonly pattern?: string;
}

/** Every route the built app serves, read from its router so a new route is fuzzed without edits here. */
function routesOf(app: FastifyInstance): Route[] {
  const routes: Route[] = [];
  const prefixes: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^([│ ├└─]*)── (.*?)(?: \(([A-Z, ]+)\))?$/u.exec(line);
    if (!match) continue;
    const level = Math.floor((match[1] as string).length / 4);
    const url = `${level > 0 ? prefixes[level - 1] : ''}${match[2] as string}`;
    prefixes[level] = url;
    for (const method of (match[3] ?? '').split(', ').filter(Boolean)) routes.push({ method, url });
  }
  return routes;
}

/** Body fields per route from the OpenAPI document the app generates, so valid-looking values reach the database. */
function bodyFieldsOf(app: FastifyInstance): Map<string, Record<string, FieldSchema>> {
  const document = app.swagger() as {
    paths?: Record<
      string,
      Record<
        string,
        {
          requestBody?: {
            content?: Record<string, { schema?: { properties?: Record<string, FieldSchema> } }>;
          };
        }
      >
    >;
  };
  const fields = new Map<string, Record<string, FieldSchema>>();
  for (const [path, operations] of Object.entries(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(operations)) {
      const properties = operation.requestBody?.content?.['application/json']?.schema?.properties;
      if (properties) fields.set(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`, properties);
    }
  }
  return fields;
}

const anyCharacter = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('\u0000', '\u200b', '\u00a0', '\ufeff', '\u202e', '０', '٣', '%00', '\\u0000'),
  },
);
const hostileString = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: anyCharacter, maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: anyCharacter, minLength: 300, maxLength: 700 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '0000-01-01',
      '2025-02-30',
      '10000-01-01',
      '+275760-09-13',
      '-000001-01-01',
      '1e309',
      '9'.repeat(400),
      'NaN',
      "'; DROP TABLE patients; --",
      '00000000-0000-0000-0000-000000000000',
      'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
      '__proto__',
    ),
  },
);
const hugeNumber = fc.constantFrom(
  Number.MAX_SAFE_INTEGER + 2,
  -Number.MAX_SAFE_INTEGER - 2,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  Number.MIN_VALUE,
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 63,
  -0,
  0.5,
);
const leaf = fc.oneof(hostileString, fc.integer(), fc.double(), hugeNumber, fc.boolean(), fc.constant(null));
const { value: anyValue } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(hostileString, tie('value'), { maxKeys: 4 }),
}));
const deeplyNested = fc.integer({ min: 50, max: 3_000 }).map((depth) => {
  let value: unknown = 'leaf';
  for (let level = 0; level < depth; level++) value = level % 2 ? [value] : { a: value };
  return value;
});

/** A value that fits the field's schema, so the request reaches the handler and the database. */
function plausibleValue(field: FieldSchema, knownIds: readonly string[]): fc.Arbitrary<unknown> {
  if (field.format === 'uuid') return fc.oneof(fc.constantFrom(...knownIds), fc.uuid());
  if (field.format === 'date') {
    const part = (min: number, max: number, width: number) =>
      fc.integer({ min, max }).map((n) => String(n).padStart(width, '0'));
    return fc.oneof(
      fc
        .date({ min: new Date('1900-01-01'), max: new Date(), noInvalidDate: true })
        .map((date) => date.toISOString().slice(0, 10)),
      fc.tuple(part(0, 9999, 4), part(0, 19, 2), part(0, 39, 2)).map(([y, m, d]) => `${y}-${m}-${d}`),
    );
  }
  if (field.type === 'integer')
    return fc.oneof(fc.integer({ min: 1, max: 10_000 }), fc.integer(), hugeNumber);
  if (field.pattern === '^[A-Z]{3}$') return fc.constantFrom('USD', 'EUR', 'JPY', 'GBP', 'XXX', 'HRK');
  if (field.pattern?.startsWith('^')) return fc.stringMatching(new RegExp(field.pattern), { maxLength: 60 });
  return fc
    .oneof(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }), hostileString)
    .filter((value) => /\S/.test(value));
}

function bodyFor(
  fields: Record<string, FieldSchema> | undefined,
  knownIds: readonly string[],
): fc.Arbitrary<unknown> {
  const entries = Object.entries(fields ?? {});
  const plausible = fc.record(
    Object.fromEntries(entries.map(([name, field]) => [name, plausibleValue(field, knownIds)])),
  );
  const mixed = fc.record(
    Object.fromEntries(
      entries.map(([name, field]) => [
        name,
        fc.oneof(
          { weight: 3, arbitrary: plausibleValue(field, knownIds) },
          { weight: 1, arbitrary: anyValue },
        ),
      ]),
    ),
    { requiredKeys: [] },
  );
  return fc.oneof(
    { weight: 3, arbitrary: plausible },
    { weight: 3, arbitrary: mixed },
    { weight: 2, arbitrary: anyValue },
    { weight: 1, arbitrary: deeplyNested },
    { weight: 1, arbitrary: fc.array(mixed, { maxLength: 3 }) },
  );
}

const cursorTime = fc
  .tuple(
    fc.integer({ min: 0, max: 9999 }),
    fc.integer({ min: 0, max: 13 }),
    fc.integer({ min: 0, max: 32 }),
    fc.integer({ min: 0, max: 25 }),
    fc.integer({ min: 0, max: 61 }),
  )
  .map(([year, month, day, hour, second]) => {
    const two = (n: number) => String(n).padStart(2, '0');
    return `${String(year).padStart(4, '0')}-${two(month)}-${two(day)}T${two(hour)}:${two(second)}:${two(second)}.000000Z`;
  });
const queryValue = fc.oneof(
  hostileString,
  fc.integer().map(String),
  fc.tuple(cursorTime, fc.uuid()).map(([time, id]) => Buffer.from(`${time}|${id}`).toString('base64url')),
  fc.array(hostileString, { minLength: 2, maxLength: 3 }),
);
const query = fc.dictionary(
  fc.oneof(fc.constantFrom('cursor', 'limit', 'after', 'id'), hostileString),
  queryValue,
  { maxKeys: 3 },
);
/** Percent-encodes the UTF-8 bytes of a string, as a client would; lone surrogates become U+FFFD. */
function percentEncode(value: string): string {
  return [...Buffer.from(value, 'utf8')]
    .map((byte) =>
      /[A-Za-z0-9._~-]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).padStart(2, '0')}`,
    )
    .join('');
}
const pathParameter = fc.oneof(
  fc.uuid(),
  hostileString.map(percentEncode),
  fc.constantFrom('%', '%ff', '..%2f..', '%c0%80'),
);
function isWireHeaderCharacter(character: string): boolean {
  const code = character.codePointAt(0) ?? 0;
  return code === 0 || code === 9 || (code >= 0x20 && code <= 0x7e) || (code >= 0x80 && code <= 0xff);
}

/** Header values a client can put on the wire: Latin-1 without line breaks (NUL included). */
const headerValue = fc.oneof(
  hostileString.map((value) => [...value].filter(isWireHeaderCharacter).join('')),
  fc.uuid(),
  fc.constantFrom('', 'Bearer', 'Bearer a.b.c', 'bearer', 'Basic x'),
);
const headers = fc.dictionary(
  fc.constantFrom('x-request-id', 'user-agent', 'x-forwarded-for', 'accept', 'x-card', 'if-none-match'),
  headerValue,
  { maxKeys: 3 },
);

describe('fuzzing every route', () => {
  let t: TestApp;
  let tokens: Record<'all' | 'none', string>;
  let knownIds: string[];
  beforeAll(async () => {
    t = await startTestApp();
    tokens = { all: await t.token(), none: await t.token([]) };
    const patient = await t.app.inject({
      method: 'POST',
      url: '/v1/patients',
      headers: { authorization: `Bearer ${tokens.all}` },
      payload: { name: 'Fuzz Patient', dateOfBirth: '1980-05-05', medicalRecordNumber: 'MRN-FUZZ' },
    });
    knownIds = [patient.json<{ id: string }>().id];
  });
  afterAll(() => t.close());

  it('answers arbitrary paths, queries, headers and bodies on every route without a 5xx', async () => {
    // Prepare
    const routes = routesOf(t.app);
    const fields = bodyFieldsOf(t.app);
    expect(routes.map((route) => `${route.method} ${route.url}`)).toEqual(
      expect.arrayContaining([
        'POST /v1/patients/',
        'GET /v1/patients/:id',
        'POST /v1/payments/',
        'GET /v1/payments/:id',
      ]),
    );
    for (const operation of fields.keys()) {
      expect(
        routes.some(
          (route) => `${route.method} ${route.url}`.replace(/\/$/, '') === operation.replace(/\/$/, ''),
        ),
      ).toBe(true);
    }
    const histogram = new Map<number, number>();
    let sent = 0;
    const failures: string[] = [];
    const apiRoutes = routes.filter((route) => route.url.startsWith('/v1/'));
    const request = fc
      .oneof(
        { weight: 1, arbitrary: fc.constantFrom(...routes) },
        { weight: 4, arbitrary: fc.constantFrom(...apiRoutes) },
      )
      .chain((route) =>
        fc.record({
          route: fc.constant(route),
          parameters: fc.array(pathParameter, { minLength: 4, maxLength: 4 }),
          query,
          headers,
          idempotencyKey: fc.oneof(
            { weight: 3, arbitrary: fc.uuid() },
            { weight: 1, arbitrary: headerValue },
          ),
          authorization: fc.constantFrom('all', 'all', 'all', 'all', 'none', 'missing', 'garbage'),
          contentType: fc.constantFrom(
            'application/json',
            'application/json',
            'application/json',
            'text/plain',
            undefined,
          ),
          body: bodyFor(
            fields.get(`${route.method} ${route.url.replace(/\/$/, '')}`) ??
              fields.get(`${route.method} ${route.url}`),
            knownIds,
          ),
        }),
      );

    // Act
    await fc.assert(
      fc.asyncProperty(request, async (input) => {
        let index = 0;
        const path = input.route.url.replace(/:\w+|\*/g, () => input.parameters[index++] as string);
        const search = new URLSearchParams();
        for (const [key, value] of Object.entries(input.query)) {
          for (const item of Array.isArray(value) ? value : [value]) search.append(key, item);
        }
        const authorization =
          input.authorization === 'all' || input.authorization === 'none'
            ? { authorization: `Bearer ${tokens[input.authorization]}` }
            : input.authorization === 'garbage'
              ? { authorization: 'Bearer eyJhbGciOiJub25lIn0.e30.' }
              : {};
        const hasBody = !['GET', 'HEAD'].includes(input.route.method);
        const response = await t.app.inject({
          method: input.route.method as 'GET',
          url: search.size > 0 ? `${path}?${search.toString()}` : path,
          headers: {
            'idempotency-key': input.idempotencyKey,
            ...input.headers,
            ...authorization,
            ...(hasBody && input.contentType ? { 'content-type': input.contentType } : {}),
          },
          ...(hasBody ? { payload: JSON.stringify(input.body) } : {}),
        });
        sent++;
        histogram.set(response.statusCode, (histogram.get(response.statusCode) ?? 0) + 1);
        if (response.statusCode >= 500) {
          failures.push(
            `${input.route.method} ${path} -> ${response.statusCode} ${response.body.slice(0, 200)}`,
          );
        }
        return response.statusCode < 500;
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );

    // Assess
    console.log(
      `${routes.length} routes: ${routes.map((route) => `${route.method} ${route.url}`).join(', ')}`,
    );
    const statuses = [...histogram.entries()].sort(([a], [b]) => a - b);
    console.log(
      `fuzzed ${routes.length} routes with ${sent} requests (seed ${SEED}): ${statuses.map(([status, count]) => `${status}×${count}`).join(', ')}`,
    );
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(RUNS);
    expect(statuses.some(([status]) => status === 201)).toBe(true);
  }, 120_000);
});
