import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Sends card numbers and protected health information through every body field, header,
 * query parameter and path parameter of every route the app registers, in every outcome a
 * route documents among OUTCOMES, then searches every log line and every row of every
 * table for them. Each value sent is unique, so a find names its route, field and outcome.
 */

const OUTCOMES = [201, 400, 401, 403, 404, 409, 422] as const;

const HOSTILE_HEADERS = [
  'x-request-id',
  'idempotency-key',
  'user-agent',
  'referer',
  'from',
  'x-forwarded-for',
  'accept-language',
  'cookie',
  'x-patient',
] as const;
const EXTRA_QUERY_PARAMETERS = ['name', 'dateOfBirth', 'medicalRecordNumber', 'email', 'q'] as const;
const EXTRA_BODY_FIELDS = ['email', 'notes'] as const;

interface Route {
  readonly method: string;
  /** Fastify's pattern, e.g. `/v1/payments/:id`. */
  readonly url: string;
}

interface Sent {
  readonly route: string;
  readonly field: string;
  readonly kind: 'card number' | 'PHI';
  outcome?: number;
}

type Kind = 'card' | 'phi';
type Group = 'body' | 'query' | 'headers' | 'path' | 'authorization';
type Auth = 'none' | 'hostile' | 'without scope' | 'full';

/**
 * The route table as the app holds it, read from `printRoutes` so that a route added later
 * is covered without editing this test. HEAD routes Fastify adds for GET are left out.
 */
function routeTable(app: FastifyInstance): Route[] {
  const routes = new Map<string, Route>();
  const ancestors: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const start = line.search(/[^│├└─\s]/u);
    if (start === -1) continue;
    const depth = Math.floor(start / 4);
    const match = /^(.*?)(?: \(([A-Z, ]+)\))?$/.exec(line.slice(start));
    if (!match) continue;
    ancestors.length = depth;
    ancestors.push(match[1] as string);
    const url = ancestors.join('').replace(/(.)\/$/, '$1');
    for (const method of (match[2] ?? '').split(',').map((m) => m.trim())) {
      if (method && method !== 'HEAD') routes.set(`${method} ${url}`, { method, url });
    }
  }
  return [...routes.values()];
}

/** The statuses among OUTCOMES that the route's OpenAPI document says it can answer. */
function documentedOutcomes(app: FastifyInstance, route: Route): number[] {
  const paths = (app.swagger() as { paths?: Record<string, Record<string, { responses?: object }>> }).paths;
  const openApiPath = route.url.replace(/:(\w+)/g, '{$1}');
  const operation =
    paths?.[openApiPath]?.[route.method.toLowerCase()] ??
    paths?.[`${openApiPath}/`]?.[route.method.toLowerCase()];
  const documented = Object.keys(operation?.responses ?? {}).map(Number);
  return OUTCOMES.filter((status) => documented.includes(status));
}

function bodyFields(app: FastifyInstance, route: Route): string[] {
  const paths = (
    app.swagger() as {
      paths?: Record<
        string,
        Record<string, { requestBody?: { content?: Record<string, { schema?: { properties?: object } }> } }>
      >;
    }
  ).paths;
  const openApiPath = route.url.replace(/:(\w+)/g, '{$1}');
  const operation =
    paths?.[openApiPath]?.[route.method.toLowerCase()] ??
    paths?.[`${openApiPath}/`]?.[route.method.toLowerCase()];
  return Object.keys(operation?.requestBody?.content?.['application/json']?.schema?.properties ?? {});
}

/** A Luhn-valid number of an issued range: Visa, Mastercard and American Express in turn. */
function cardNumber(serial: number): string {
  const brand = (['4', '51', '37'] as const)[serial % 3] as string;
  const length = brand === '37' ? 15 : 16;
  const body = `${brand}${String(serial).padStart(length - brand.length - 1, '0')}`;
  let sum = 0;
  for (let index = 0; index < body.length; index += 1) {
    let digit = Number(body[body.length - 1 - index]);
    if (index % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return `${body}${(10 - (sum % 10)) % 10}`;
}

function letters(serial: number): string {
  let tag = '';
  let rest = serial;
  do {
    tag = String.fromCharCode(97 + (rest % 26)) + tag;
    rest = Math.floor(rest / 26);
  } while (rest > 0);
  return tag;
}

/** Unique protected health information: a name, a date of birth, a record number, an email. */
function phi(serial: number): {
  name: string;
  dateOfBirth: string;
  medicalRecordNumber: string;
  email: string;
} {
  const tag = letters(serial + 26 * 26);
  const dateOfBirth = new Date(Date.UTC(1921, 0, 1) + serial * 86_400_000).toISOString().slice(0, 10);
  return {
    name: `Ottoline Featherstonehaugh${tag}`,
    dateOfBirth,
    medicalRecordNumber: `MRN-OF${tag.toUpperCase()}-LEAK`,
    email: `ottoline.${tag}@example.org`,
  };
}

/** A value as it is sent and as a URL or a form would carry it. */
function spellings(value: string): string[] {
  return [
    ...new Set([value, encodeURIComponent(value), new URLSearchParams({ v: value }).toString().slice(2)]),
  ];
}

describe('leak search: card numbers and PHI sent anywhere are never logged or stored', () => {
  let t: TestApp;
  const sent = new Map<string, Sent>();
  /** Values a successful patient create may store in the patients table, and only there. */
  const storedPatientValues = new Set<string>();
  const outcomes = new Map<string, Set<number>>();
  let serial = 0;
  let tokens: Record<Exclude<Auth, 'none' | 'hostile'>, string>;
  let fixturePatientId: string;

  function hostile(kind: Kind, route: Route, field: string, phiPart: keyof ReturnType<typeof phi>): string {
    serial += 1;
    const value = kind === 'card' ? cardNumber(serial) : phi(serial)[phiPart];
    sent.set(value, {
      route: `${route.method} ${route.url}`,
      field,
      kind: kind === 'card' ? 'card number' : 'PHI',
    });
    return value;
  }

  function phiPartOf(field: string): keyof ReturnType<typeof phi> {
    if (/date/i.test(field)) return 'dateOfBirth';
    if (/medical|mrn|id$/i.test(field)) return 'medicalRecordNumber';
    if (/mail|from/i.test(field)) return 'email';
    return 'name';
  }

  async function send(
    route: Route,
    request: {
      readonly path: string;
      readonly query: Record<string, string>;
      readonly headers: Record<string, string>;
      readonly body?: Record<string, unknown>;
    },
    values: readonly string[],
  ): Promise<number> {
    const search = new URLSearchParams(request.query).toString();
    const response = await t.app.inject({
      method: route.method as 'GET',
      url: search ? `${request.path}?${search}` : request.path,
      headers: request.headers,
      ...(request.body === undefined ? {} : { payload: request.body }),
    });
    expect(response.statusCode, `${route.method} ${route.url}: ${response.body}`).toBeLessThan(500);
    for (const value of values) {
      const record = sent.get(value);
      if (record) record.outcome = response.statusCode;
    }
    const key = `${route.method} ${route.url}`;
    outcomes.set(key, (outcomes.get(key) ?? new Set()).add(response.statusCode));
    return response.statusCode;
  }

  /** Builds a request with hostile values in the chosen groups and neutral values elsewhere. */
  function hostileRequest(
    route: Route,
    kind: Kind,
    groups: ReadonlySet<Group>,
    auth: Auth,
    fields: readonly string[],
  ): { request: Parameters<typeof send>[1]; values: string[] } {
    const values: string[] = [];
    const take = (field: string) => {
      const value = hostile(kind, route, field, phiPartOf(field));
      values.push(value);
      return value;
    };
    const path = route.url.replace(/:(\w+)|\*/g, (_whole, name: string | undefined) =>
      groups.has('path') ? encodeURIComponent(take(`path parameter ${name ?? '*'}`)) : randomUUID(),
    );
    const query: Record<string, string> = {};
    if (groups.has('query')) {
      for (const name of EXTRA_QUERY_PARAMETERS) query[name] = take(`query parameter ${name}`);
      query.cursor = take('query parameter cursor');
      query.limit = take('query parameter limit');
    }
    const headers: Record<string, string> = {};
    if (groups.has('headers')) {
      for (const name of HOSTILE_HEADERS) headers[name] = take(`header ${name}`);
    }
    if (auth === 'hostile') headers.authorization = `Bearer ${take('header authorization')}`;
    else if (auth !== 'none') headers.authorization = `Bearer ${tokens[auth]}`;
    let body: Record<string, unknown> | undefined;
    if (route.method === 'POST' || route.method === 'PUT' || route.method === 'PATCH') {
      body = {};
      if (groups.has('body')) {
        for (const name of [...fields, ...EXTRA_BODY_FIELDS]) body[name] = take(`body field ${name}`);
        body[take('body key')] = 'x';
      }
    }
    return { request: { path, query, headers, ...(body ? { body } : {}) }, values };
  }

  beforeAll(async () => {
    t = await startTestApp({ LOG_LEVEL: 'trace', AUTH_FAILURE_LIMIT: '100000' });
    tokens = {
      'without scope': await t.token([]),
      full: await t.token(),
    };
    const fixture = await t.app.inject({
      method: 'POST',
      url: '/v1/patients',
      headers: { authorization: `Bearer ${tokens.full}` },
      payload: { name: 'Fixture Patient', dateOfBirth: '1970-01-01', medicalRecordNumber: 'MRN-FIXTURE' },
    });
    fixturePatientId = fixture.json().id;
  }, 60_000);
  afterAll(() => t?.close());

  it('covers every route of the app and every outcome each route documents', async () => {
    // Prepare
    const routes = routeTable(t.app);
    expect(routes.map((route) => `${route.method} ${route.url}`)).toEqual(
      expect.arrayContaining(['POST /v1/patients', 'GET /v1/patients/:id', 'POST /v1/payments']),
    );

    // Act: hostile values through every group, under every kind of authentication.
    for (const route of routes) {
      const fields = bodyFields(t.app, route);
      const variants: Array<[Kind, Group[]]> = [
        ['phi', ['body', 'query', 'headers', 'path']],
        ['card', ['body']],
        ['card', ['query']],
        ['card', ['headers']],
        ['card', ['path']],
      ];
      for (const auth of ['none', 'hostile', 'without scope', 'full'] as const) {
        for (const [kind, groups] of variants) {
          const { request, values } = hostileRequest(route, kind, new Set(groups), auth, fields);
          await send(route, request, values);
        }
      }
      // Not found: a well-formed id that names nothing, with PHI in the headers and query.
      if (route.url.includes(':')) {
        const { request, values } = hostileRequest(
          route,
          'phi',
          new Set(['query', 'headers']),
          'full',
          fields,
        );
        await send(route, request, values);
      }
    }

    // Act: the outcomes that need a valid request, with PHI wherever the route ignores it.
    const createPatient: Route = { method: 'POST', url: '/v1/patients' };
    const patientValues = phi(++serial);
    for (const value of Object.values(patientValues).slice(0, 3)) storedPatientValues.add(value);
    const neutralHeaders = (route: Route) => ({
      'user-agent': hostile('phi', route, 'header user-agent', 'name'),
      referer: `https://example.org/?email=${hostile('phi', route, 'header referer', 'email')}`,
      'x-request-id': hostile('phi', route, 'header x-request-id', 'medicalRecordNumber'),
    });
    const created = await t.app.inject({
      method: 'POST',
      url: `/v1/patients?email=${encodeURIComponent(hostile('phi', createPatient, 'query parameter email', 'email'))}`,
      headers: { authorization: `Bearer ${tokens.full}`, ...neutralHeaders(createPatient) },
      payload: {
        name: patientValues.name,
        dateOfBirth: patientValues.dateOfBirth,
        medicalRecordNumber: patientValues.medicalRecordNumber,
      },
    });
    record(createPatient, created.statusCode);
    const duplicate = await t.app.inject({
      method: 'POST',
      url: '/v1/patients',
      headers: { authorization: `Bearer ${tokens.full}`, ...neutralHeaders(createPatient) },
      payload: {
        name: hostile('phi', createPatient, 'body field name (duplicate)', 'name'),
        dateOfBirth: hostile('phi', createPatient, 'body field dateOfBirth (duplicate)', 'dateOfBirth'),
        medicalRecordNumber: patientValues.medicalRecordNumber,
      },
    });
    record(createPatient, duplicate.statusCode);

    const createPayment: Route = { method: 'POST', url: '/v1/payments' };
    const key = randomUUID();
    const payment = {
      patientId: fixturePatientId,
      amount: 1250,
      currency: 'USD',
      description: 'Follow-up visit',
    };
    const paid = await t.app.inject({
      method: 'POST',
      url: `/v1/payments?name=${encodeURIComponent(hostile('phi', createPayment, 'query parameter name', 'name'))}`,
      headers: {
        authorization: `Bearer ${tokens.full}`,
        'idempotency-key': key,
        ...neutralHeaders(createPayment),
      },
      payload: payment,
    });
    record(createPayment, paid.statusCode);
    const reused = await t.app.inject({
      method: 'POST',
      url: '/v1/payments',
      headers: {
        authorization: `Bearer ${tokens.full}`,
        'idempotency-key': key,
        ...neutralHeaders(createPayment),
      },
      payload: { ...payment, amount: 1300 },
    });
    record(createPayment, reused.statusCode);
    await t.queue.drain();

    // Assess: every route produced every outcome it documents.
    for (const route of routes) {
      const seen = outcomes.get(`${route.method} ${route.url}`) ?? new Set();
      const missing = documentedOutcomes(t.app, route).filter((status) => !seen.has(status));
      expect(missing, `${route.method} ${route.url} never answered ${missing.join(', ')}`).toEqual([]);
    }
    expect(created.statusCode, created.body).toBe(201);
    expect(duplicate.statusCode, duplicate.body).toBe(409);
    expect(paid.statusCode, paid.body).toBe(201);
    expect(reused.statusCode, reused.body).toBe(409);
  }, 300_000);

  it('finds none of them in any log line or any row of any table', async () => {
    // Prepare
    expect(sent.size).toBeGreaterThan(500);
    const { rows: tables } = await t.admin.query<{ schema: string; name: string }>(
      `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
       WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`,
    );
    expect(tables.map((table) => table.name)).toEqual(
      expect.arrayContaining(['patients', 'payments', 'audit_events', 'idempotency_keys']),
    );

    // Act
    const places: Array<{ where: string; text: string; table?: string }> = t.logs.map((line, index) => ({
      where: `log line ${index}`,
      text: line,
    }));
    for (const table of tables) {
      const { rows } = await t.admin.query<{ row: string }>(
        `SELECT row_to_json(t)::text AS row FROM "${table.schema}"."${table.name}" t`,
      );
      for (const { row } of rows) places.push({ where: `table ${table.name}`, text: row, table: table.name });
    }
    const leaks: string[] = [];
    for (const [value, origin] of sent) {
      for (const place of places) {
        if (!spellings(value).some((spelling) => place.text.includes(spelling))) continue;
        if (place.table === 'patients' && storedPatientValues.has(value)) continue;
        leaks.push(
          `${origin.kind} sent to ${origin.route} in ${origin.field} (answered ${origin.outcome ?? '?'}) found in ${place.where}: ${place.text.slice(0, 200)}`,
        );
      }
    }
    for (const value of storedPatientValues) {
      for (const place of places) {
        const found = spellings(value).some((spelling) => place.text.includes(spelling));
        if (place.table !== 'patients' && found) {
          leaks.push(`PHI of a created patient found in ${place.where}: ${place.text.slice(0, 200)}`);
        }
      }
    }

    // Assess
    expect(t.logs.length).toBeGreaterThan(100);
    expect(leaks.slice(0, 20), `${leaks.length} values found where they must never be`).toEqual([]);
  });

  function record(route: Route, status: number): void {
    const key = `${route.method} ${route.url}`;
    outcomes.set(key, (outcomes.get(key) ?? new Set()).add(status));
  }
});
