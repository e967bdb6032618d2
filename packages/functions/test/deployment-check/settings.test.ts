import { describe, expect, it } from 'vitest';
import { FunctionConfigError } from '../../src/errors.js';
import {
  DEPLOYMENT_CHECK_ENVIRONMENT,
  deploymentCheckSettingsFromEnvironment,
} from '../../src/deployment-check/settings.js';

const VALID = {
  TEST_BASE_URL: 'https://api.example.com:9443',
  PROBE_KEY_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:citadel/probe-key-AbCdEf',
  PROBE_AUDIENCE: 'citadel-api',
  PROBE_ISSUER: 'urn:citadel:deployment-check',
};

describe('deployment check settings', () => {
  it('names the four variables the infrastructure sets', () => {
    expect(Object.values(DEPLOYMENT_CHECK_ENVIRONMENT).sort()).toEqual(Object.keys(VALID).sort());
  });

  it('reads the test listener origin, the key secret, the audience and the issuer', () => {
    const settings = deploymentCheckSettingsFromEnvironment(VALID);

    expect(settings).toMatchObject({
      probeKeySecretArn: VALID.PROBE_KEY_SECRET_ARN,
      probeAudience: 'citadel-api',
      probeIssuer: 'urn:citadel:deployment-check',
    });
    expect(settings.testBaseUrl.href).toBe('https://api.example.com:9443/');
  });

  it.each([
    ['TEST_BASE_URL', { TEST_BASE_URL: undefined }, "TEST_BASE_URL: '' is not a URL"],
    [
      'TEST_BASE_URL',
      { TEST_BASE_URL: 'http://api.example.com:9080' },
      "TEST_BASE_URL: protocol 'http:' is refused",
    ],
    ['TEST_BASE_URL', { TEST_BASE_URL: 'http://127.0.0.1:9080' }, "protocol 'http:' is refused"],
    ['TEST_BASE_URL', { TEST_BASE_URL: 'ftp://api.example.com' }, "protocol 'ftp:' is refused"],
    ['TEST_BASE_URL', { TEST_BASE_URL: 'https://user:pw@api.example.com' }, 'give the origin only'],
    ['TEST_BASE_URL', { TEST_BASE_URL: 'https://api.example.com/v1' }, 'give the origin only'],
    ['TEST_BASE_URL', { TEST_BASE_URL: 'https://api.example.com/?next=evil' }, 'give the origin only'],
    [
      'PROBE_KEY_SECRET_ARN',
      { PROBE_KEY_SECRET_ARN: 'citadel/probe-key' },
      "PROBE_KEY_SECRET_ARN: 'citadel/probe-key' is not",
    ],
    [
      'PROBE_KEY_SECRET_ARN',
      { PROBE_KEY_SECRET_ARN: `${VALID.PROBE_KEY_SECRET_ARN}\n` + 'x' },
      'is not a Secrets Manager',
    ],
    ['PROBE_AUDIENCE', { PROBE_AUDIENCE: '' }, "PROBE_AUDIENCE: '' is not an audience"],
    ['PROBE_AUDIENCE', { PROBE_AUDIENCE: 'citadel\u0000api' }, "'citadel\\u{0}api' is not an audience"],
    [
      'PROBE_ISSUER',
      { PROBE_ISSUER: 'https://login.example.com/' },
      "PROBE_ISSUER: 'https://login.example.com/' is refused",
    ],
  ])('fails when %s is bad, naming it, the value and the fix', (_name, override, message) => {
    const attempt = () => deploymentCheckSettingsFromEnvironment({ ...VALID, ...override });

    expect(attempt).toThrow(FunctionConfigError);
    expect(attempt).toThrow(message);
  });

  it('accepts http only on loopback and only when a test asks for it', () => {
    const options = { allowLoopbackHttp: true };

    expect(
      deploymentCheckSettingsFromEnvironment({ ...VALID, TEST_BASE_URL: 'http://127.0.0.1:8080' }, options)
        .testBaseUrl.port,
    ).toBe('8080');
    expect(() =>
      deploymentCheckSettingsFromEnvironment({ ...VALID, TEST_BASE_URL: 'http://10.0.0.5:8080' }, options),
    ).toThrow("protocol 'http:' is refused");
  });
});
