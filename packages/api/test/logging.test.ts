import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('logs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ LOG_LEVEL: 'trace' });
  });
  afterAll(() => t.close());

  it('never contain a token, a name, a date of birth or a record number across a full create-and-read flow', async () => {
    const token = await t.token();
    const auth = { authorization: `Bearer ${token}` };
    const protectedValues = {
      name: 'Zebulon Quarterfield',
      dateOfBirth: '1933-07-21',
      medicalRecordNumber: 'MRN-ZQ-73311',
    };
    const patient = (
      await t.app.inject({ method: 'POST', url: '/v1/patients', headers: auth, payload: protectedValues })
    ).json();
    await t.app.inject({ method: 'GET', url: `/v1/patients/${patient.id}`, headers: auth });
    await t.app.inject({ method: 'GET', url: '/v1/patients?limit=5', headers: auth });
    await t.app.inject({ method: 'POST', url: '/v1/patients', headers: auth, payload: protectedValues });
    const payment = await t.app.inject({
      method: 'POST',
      url: '/v1/payments',
      headers: { ...auth, 'idempotency-key': randomUUID() },
      payload: { patientId: patient.id, amount: 700, currency: 'USD', description: 'Zebulon follow-up' },
    });
    await t.queue.drain();
    await t.app.inject({ method: 'GET', url: `/v1/payments/${payment.json().id}`, headers: auth });
    await t.app.inject({
      method: 'GET',
      url: '/v1/patients',
      headers: { authorization: `Bearer ${token}x` },
    });

    const output = t.logs.join('\n');

    expect(t.logs.length).toBeGreaterThan(10);
    for (const value of [
      token,
      token.split('.')[2] as string,
      ...Object.values(protectedValues),
      'Zebulon',
    ]) {
      expect(output).not.toContain(value);
    }
  });

  function entries(): Array<Record<string, unknown>> {
    return t.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  it('names every request with a server-generated UUID, on its log lines, its response header and its audit row', async () => {
    // Prepare
    const before = t.logs.length;

    // Act
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/patients',
      headers: { authorization: `Bearer ${await t.token()}` },
      payload: { name: 'Id Probe', dateOfBirth: '1960-01-01', medicalRecordNumber: 'MRN-ID-PROBE' },
    });

    // Assess
    const requestId = response.headers['x-request-id'];
    expect(requestId).toMatch(UUID_V4);
    const lines = entries().slice(before);
    expect(lines.filter((entry) => entry.requestId === requestId).length).toBeGreaterThanOrEqual(2);
    const { rows } = await t.admin.query('SELECT request_id FROM audit_events WHERE resource_id = $1', [
      response.json().id,
    ]);
    expect(rows).toEqual([{ request_id: requestId }]);
  });

  it.each([
    ['a card number', '4111111111111111'],
    ['a name', 'Zebulon-Quarterfield'],
    ['a word that looks like an id', 'trace-me-12345'],
  ])('drops a client X-Request-Id that is %s: never echoed, logged or stored', async (_kind, offered) => {
    // Prepare
    const before = t.logs.length;

    // Act
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/patients',
      headers: { authorization: `Bearer ${await t.token()}`, 'x-request-id': offered },
      payload: {
        name: 'Dropped Id',
        dateOfBirth: '1961-02-02',
        medicalRecordNumber: `MRN-DROP-${before}`,
      },
    });

    // Assess
    // The card number may be refused outright (422); either way it goes nowhere.
    expect([201, 422]).toContain(response.statusCode);
    expect(response.headers['x-request-id']).toMatch(UUID_V4);
    expect(response.body).not.toContain(offered);
    expect(t.logs.slice(before).join('\n')).not.toContain(offered);
    const { rows } = await t.admin.query('SELECT * FROM audit_events');
    expect(JSON.stringify(rows)).not.toContain(offered);
  });

  it('keeps a client X-Request-Id that is a UUID beside the server id as clientRequestId', async () => {
    // Prepare
    const offered = randomUUID();
    const before = t.logs.length;

    // Act
    const response = await t.app.inject({
      method: 'GET',
      url: '/v1/patients',
      headers: { authorization: `Bearer ${await t.token()}`, 'x-request-id': offered.toUpperCase() },
    });

    // Assess
    expect(response.headers['x-request-id']).not.toBe(offered);
    const lines = entries()
      .slice(before)
      .filter((entry) => entry.requestId === response.headers['x-request-id']);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(line.clientRequestId).toBe(offered);
  });

  it('logs the route pattern and the path without its query string, never the raw URL', async () => {
    // Prepare
    const before = t.logs.length;
    const id = randomUUID();

    // Act
    await t.app.inject({
      method: 'GET',
      url: `/v1/patients/${id}?name=Zebulon&dateOfBirth=1933-07-21`,
      headers: { authorization: `Bearer ${await t.token()}` },
    });

    // Assess
    const incoming = entries()
      .slice(before)
      .find((entry) => entry.msg === 'incoming request');
    expect(incoming?.req).toEqual({
      method: 'GET',
      route: '/v1/patients/:id',
      path: `/v1/patients/${id}`,
      remoteAddress: '127.0.0.1',
    });
    const output = t.logs.slice(before).join('\n');
    expect(output).not.toContain('Zebulon');
    expect(output).not.toContain('1933-07-21');
    expect(output).not.toContain('?');
  });

  it('logs a path segment that is neither a route segment nor a UUID as *', async () => {
    // Prepare
    const before = t.logs.length;

    // Act
    await t.app.inject({
      method: 'GET',
      url: '/v1/patients/Zebulon%20Quarterfield/1933-07-21',
      headers: { authorization: `Bearer ${await t.token()}` },
    });

    // Assess
    const incoming = entries()
      .slice(before)
      .find((entry) => entry.msg === 'incoming request');
    expect(incoming?.req).toMatchObject({ route: null, path: '/v1/patients/*/*' });
    expect(t.logs.slice(before).join('\n')).not.toContain('Zebulon');
  });

  it('never logs headers outside the allow-list, such as User-Agent, Referer, Host or Idempotency-Key', async () => {
    // Prepare
    const before = t.logs.length;
    const secret = 'Zebulon-Quarterfield-1933-07-21';

    // Act
    await t.app.inject({
      method: 'GET',
      url: '/v1/patients',
      headers: {
        authorization: `Bearer ${await t.token()}`,
        'user-agent': secret,
        referer: `https://example.com/?patient=${secret}`,
        host: `${secret}.example.com`,
        'accept-version': secret,
        'idempotency-key': secret,
        'x-forwarded-for': secret,
      },
    });

    // Assess
    expect(t.logs.length).toBeGreaterThan(before);
    expect(t.logs.slice(before).join('\n')).not.toContain('Zebulon');
  });

  it.each([
    ['a malformed percent-encoding', '/v1/patients/Zebulon%E0%A4%A?dateOfBirth=1933-07-21'],
    ['a path far longer than any route', `/v1/${'Zebulon/'.repeat(40)}?dateOfBirth=1933-07-21`],
    ['dot segments', '/v1/patients/../Zebulon/./1933-07-21?x=1'],
  ])('never logs the text of %s', async (_kind, url) => {
    // Prepare
    const before = t.logs.length;

    // Act
    const response = await t.app.inject({ method: 'GET', url });

    // Assess
    expect(response.statusCode).toBeLessThan(500);
    const output = t.logs.slice(before).join('\n');
    expect(output).not.toContain('Zebulon');
    expect(output).not.toContain('1933-07-21');
  });

  it('logs only the SQLSTATE of a database error, never the input its message quotes', () => {
    // Prepare
    const error = Object.assign(new Error('invalid input syntax for type uuid: "Zebulon"'), {
      code: '22P02',
      severity: 'ERROR',
      routine: 'string_to_uuid',
      detail: 'Key (name)=(Zebulon) already exists.',
    });

    // Act
    t.app.log.error({ err: error }, 'probe');

    // Assess
    const line = t.logs.at(-1) as string;
    expect(line).toContain('22P02');
    expect(line).not.toContain('Zebulon');
  });

  it('redacts an authorization header and a token even if a handler logs them', () => {
    t.app.log.info(
      { headers: { authorization: 'Bearer secret-looking-value' }, token: 'another-secret' },
      'probe',
    );

    expect(t.logs.at(-1)).not.toContain('secret-looking-value');
    expect(t.logs.at(-1)).not.toContain('another-secret');
    expect(t.logs.at(-1)).toContain('[redacted]');
  });

  describe('behind more trusted proxies than the client is actually behind', () => {
    let proxied: TestApp;
    beforeAll(async () => {
      proxied = await startTestApp({ TRUSTED_PROXY_HOPS: '2' });
    });
    afterAll(() => proxied.close());

    it('fails closed when the client address taken from X-Forwarded-For is not an IP address: neither logged nor audited', async () => {
      // Prepare
      const before = proxied.logs.length;

      // Act
      const response = await proxied.app.inject({
        method: 'POST',
        url: '/v1/patients',
        headers: {
          authorization: `Bearer ${await proxied.token()}`,
          'x-forwarded-for': 'Zebulon Quarterfield, 10.0.0.7',
        },
        payload: { name: 'Proxied', dateOfBirth: '1962-03-03', medicalRecordNumber: 'MRN-PROXIED' },
      });

      // Assess
      expect(response.statusCode, response.body).toBe(201);
      expect(proxied.logs.slice(before).join('\n')).not.toContain('Zebulon');
      const { rows } = await proxied.admin.query(
        'SELECT source_ip FROM audit_events WHERE resource_id = $1',
        [response.json().id],
      );
      expect(rows).toEqual([{ source_ip: null }]);
    });
  });
});
