import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { createPool, DatabaseConfigError, IAM_TOKEN_LIFETIME_MS, IamTokenSource } from '../src/index.js';

// Static, obviously fake credentials: SigV4 signing is local, so no network is involved.
const credentials = { accessKeyId: 'TEST-ACCESS-KEY-ID', secretAccessKey: 'test-secret-access-key' };
const target = {
  hostname: 'citadel-dev.abc123.eu-west-1.rds.amazonaws.com',
  port: 5432,
  username: 'citadel_app',
  region: 'eu-west-1',
};

describe('IAM token source', () => {
  it('signs a real RDS auth token for the host, user and region', async () => {
    const source = new IamTokenSource({ ...target, credentials });

    const token = await source.token();

    const url = new URL(`https://${token}`);
    expect(url.host).toBe(`${target.hostname}:5432`);
    expect(url.searchParams.get('Action')).toBe('connect');
    expect(url.searchParams.get('DBUser')).toBe('citadel_app');
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(
      /^TEST-ACCESS-KEY-ID\/\d{8}\/eu-west-1\/rds-db\/aws4_request$/,
    );
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reuses the cached token, including for concurrent callers', async () => {
    const now = vi.fn(() => 1_000_000);
    const source = new IamTokenSource({ ...target, credentials, now });
    const sign = vi.spyOn(source as unknown as { sign: () => Promise<string> }, 'sign');

    const tokens = await Promise.all([source.token(), source.token(), source.token()]);
    now.mockReturnValue(1_000_000 + 10 * 60 * 1000);
    const later = await source.token();

    expect(new Set([...tokens, later]).size).toBe(1);
    expect(sign).toHaveBeenCalledTimes(1);
  });

  it('signs a new token once the cached one is within the refresh margin of expiry', async () => {
    let clock = Date.UTC(2026, 0, 1, 12, 0, 0);
    vi.useFakeTimers({ now: clock, toFake: ['Date'] });
    try {
      const source = new IamTokenSource({
        ...target,
        credentials,
        now: () => clock,
        refreshBeforeExpiryMs: 60_000,
      });
      const first = await source.token();

      clock += IAM_TOKEN_LIFETIME_MS - 61_000;
      vi.setSystemTime(clock);
      const stillCached = await source.token();
      clock += 2_000;
      vi.setSystemTime(clock);
      const refreshed = await source.token();

      expect(stillCached).toBe(first);
      expect(refreshed).not.toBe(first);
      expect(new URL(`https://${refreshed}`).searchParams.get('X-Amz-Date')).not.toBe(
        new URL(`https://${first}`).searchParams.get('X-Amz-Date'),
      );
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('IAM pool', () => {
  it('verifies the server certificate and host name against the CA bundle and uses the token as password', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'citadel-ca-'));
    const caBundlePath = join(dir, 'bundle.pem');
    await writeFile(caBundlePath, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');

    const pool = createPool({ kind: 'iam', ...target, database: 'citadel', caBundlePath, credentials });
    try {
      const options = (pool as unknown as { options: Record<string, unknown> }).options;
      expect(options.ssl).toMatchObject({ rejectUnauthorized: true, servername: target.hostname });
      expect(String((options.ssl as { ca: Buffer }).ca)).toContain('BEGIN CERTIFICATE');
      const password = await (options.password as () => Promise<string>)();
      expect(password).toMatch(/^citadel-dev\.abc123\.eu-west-1\.rds\.amazonaws\.com:5432\/\?Action=connect/);
    } finally {
      await pool.end();
    }
  });

  it('fails when the CA bundle cannot be read, naming the path', () => {
    expect(() =>
      createPool({
        kind: 'iam',
        ...target,
        database: 'citadel',
        caBundlePath: '/nonexistent/rds.pem',
        credentials,
      }),
    ).toThrow(new DatabaseConfigError('cannot read the RDS CA bundle at /nonexistent/rds.pem'));
  });

  it('fails on a connection string that is not a URL, without echoing it', () => {
    expect(() => createPool({ kind: 'url', connectionString: 'host=db password=hunter2' })).toThrow(
      /not a valid URL$/,
    );
  });
});
