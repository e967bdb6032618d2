import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDeploymentCheck } from '../../src/deployment-check/check-handler.js';
import { readProbeSigningKey } from '../../src/deployment-check/probe-key.js';
import { deploymentCheckSettingsFromEnvironment } from '../../src/deployment-check/settings.js';
import { SecretValueError } from '../../src/errors.js';
import { FakeSecrets } from '../fake-secrets.js';
import { lifecycleEvent } from './lifecycle-event.js';
import { startListener, type Listener } from './test-listener.js';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:citadel/probe-key-AbCdEf';

describe('the probe signing key', () => {
  let privateJwk: JWK;
  beforeAll(async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    privateJwk = { ...(await exportJWK(privateKey)), kid: 'deployment-check-1' };
  });

  it('reads a private P-256 JWK with its kid', async () => {
    const signing = await readProbeSigningKey(
      new FakeSecrets({ [SECRET_ARN]: JSON.stringify(privateJwk) }),
      SECRET_ARN,
    );

    expect(signing.kid).toBe('deployment-check-1');
    expect(signing.key.type).toBe('private');
  });

  it.each([
    ['no kid', { kid: undefined }, 'has no usable kid'],
    ['an RSA key type', { kty: 'RSA' }, 'is not an EC P-256 key'],
    ['the P-384 curve', { crv: 'P-384' }, 'is not an EC P-256 key'],
    ['a d that is not base64url', { d: 'not base64url!' }, "has no usable 'd' member"],
    ['a d of another length', { d: 'AAAA' }, 'does not hold a valid P-256 private key'],
  ])('refuses a key with %s, naming the secret and never a key member', async (_case, change, message) => {
    // Prepare
    const value = JSON.stringify({ ...privateJwk, ...change });

    // Act
    const attempt = readProbeSigningKey(new FakeSecrets({ [SECRET_ARN]: value }), SECRET_ARN);

    // Assess
    const error = (await attempt.then(
      () => new Error('no error'),
      (caught: unknown) => caught,
    )) as Error;
    expect(error).toBeInstanceOf(SecretValueError);
    expect(error.message).toContain(`secret ${SECRET_ARN} ${message}`);
    expect(error.message).not.toContain(privateJwk.d as string);
    expect(error.cause).toBeUndefined();
  });
});

describe('the probe key in the logs', () => {
  let listener: Listener | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await listener?.close();
  });

  it.each([
    ['the check passes', 404, true],
    ['the read is refused', 401, true],
    ['the key is unusable', 404, false],
  ])('never writes the private key to a log line when %s', async (_case, readStatus, usable) => {
    // Prepare
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(privateKey)), kid: 'deployment-check-1' };
    const secret = JSON.stringify(usable ? jwk : { ...jwk, crv: 'P-384' });
    listener = await startListener((request, response) =>
      request.url === '/ready'
        ? response.writeHead(200).end()
        : response.writeHead(readStatus).end(JSON.stringify({ error: { code: 'payment_not_found' } })),
    );
    const written: string[] = [];
    const capture = (chunk: unknown) => {
      written.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    const logger = new Logger({ serviceName: 'deployment-check', logLevel: 'DEBUG' });
    const settings = deploymentCheckSettingsFromEnvironment(
      {
        TEST_BASE_URL: listener.url,
        PROBE_KEY_SECRET_ARN: SECRET_ARN,
        PROBE_AUDIENCE: 'citadel-api',
        PROBE_ISSUER: 'urn:citadel:deployment-check',
      },
      { allowLoopbackHttp: true },
    );
    const check = createDeploymentCheck({
      settings,
      secrets: new FakeSecrets({ [SECRET_ARN]: secret }),
      logger,
    });

    // Act
    await check(lifecycleEvent());

    // Assess
    expect(written.length).toBeGreaterThan(0);
    const logs = written.join('');
    expect(logs).toContain('deployment_check_');
    expect(logs).not.toContain(jwk.d as string);
    expect(logs).not.toContain(listener.requests.at(-1)?.authorization?.slice(7) || 'no-token-was-sent');
  });
});
