import { API_PROBE_ISSUER } from '@citadel/api/contract';
import { FunctionConfigError } from '../errors.js';

/** Environment variables the deployment check reads; the infrastructure sets them. */
export const DEPLOYMENT_CHECK_ENVIRONMENT = {
  /** Origin of the load balancer's test listener, e.g. `https://api.example.com:9443`. */
  testBaseUrl: 'TEST_BASE_URL',
  /** Secrets Manager secret whose SecretString is the probe's private P-256 JWK, with `kid`. */
  probeKeySecretArn: 'PROBE_KEY_SECRET_ARN',
  /** The API's audience (its AUTH_AUDIENCE). */
  probeAudience: 'PROBE_AUDIENCE',
  /** Always `urn:citadel:deployment-check`, the issuer the API reserves for the probe. */
  probeIssuer: 'PROBE_ISSUER',
} as const;

export interface DeploymentCheckSettings {
  /** The test listener's origin; `https:` unless a test allowed loopback http. */
  readonly testBaseUrl: URL;
  readonly probeKeySecretArn: string;
  readonly probeAudience: string;
  readonly probeIssuer: typeof API_PROBE_ISSUER;
}

export interface SettingsOptions {
  /**
   * Accept `http:` on a loopback address, for tests that run the API on this machine. The
   * Lambda handler never sets it.
   * @default false
   */
  readonly allowLoopbackHttp?: boolean;
}

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]{1,512}$/;
const PRINTABLE = /^[^\p{Cc}]{1,2048}$/u;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const SHOWN_LENGTH = 120;

/** Reads and checks the check's settings; each problem names the variable, the value and the fix. */
export function deploymentCheckSettingsFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  options: SettingsOptions = {},
): DeploymentCheckSettings {
  const names = DEPLOYMENT_CHECK_ENVIRONMENT;
  const probeKeySecretArn = env[names.probeKeySecretArn]?.trim() ?? '';
  if (!SECRET_ARN.test(probeKeySecretArn)) {
    throw new FunctionConfigError(
      `${names.probeKeySecretArn}: ${shown(probeKeySecretArn)} is not a Secrets Manager secret ARN; set arn:aws:secretsmanager:<region>:<account>:secret:<name>`,
    );
  }
  const probeAudience = env[names.probeAudience]?.trim() ?? '';
  if (!PRINTABLE.test(probeAudience)) {
    throw new FunctionConfigError(
      `${names.probeAudience}: ${shown(probeAudience)} is not an audience; set the API's AUTH_AUDIENCE (1 to 2048 characters, no control characters)`,
    );
  }
  const probeIssuer = env[names.probeIssuer]?.trim() ?? '';
  if (probeIssuer !== API_PROBE_ISSUER) {
    throw new FunctionConfigError(
      `${names.probeIssuer}: ${shown(probeIssuer)} is refused; the API accepts probe tokens only from '${API_PROBE_ISSUER}'`,
    );
  }
  return {
    testBaseUrl: testListenerOrigin(env[names.testBaseUrl]?.trim() ?? '', options),
    probeKeySecretArn,
    probeAudience,
    probeIssuer: API_PROBE_ISSUER,
  };
}

function testListenerOrigin(text: string, options: SettingsOptions): URL {
  const name = DEPLOYMENT_CHECK_ENVIRONMENT.testBaseUrl;
  const url = URL.canParse(text) ? new URL(text) : null;
  if (!url) {
    throw new FunctionConfigError(
      `${name}: ${shown(text)} is not a URL; set the test listener's origin, such as https://api.example.com:9443`,
    );
  }
  const loopbackHttp =
    options.allowLoopbackHttp === true && url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !loopbackHttp) {
    throw new FunctionConfigError(
      `${name}: protocol '${url.protocol}' is refused; the probe's token travels over https only`,
    );
  }
  if (url.username || url.password || url.pathname !== '/' || url.search || url.hash) {
    throw new FunctionConfigError(
      `${name}: ${shown(`${url.protocol}//${url.host}${url.pathname}`)} is refused; give the origin only (scheme, host and port), without credentials, path, query or fragment`,
    );
  }
  return url;
}

function shown(value: string): string {
  const cut = value.length > SHOWN_LENGTH ? `${value.slice(0, SHOWN_LENGTH)}…` : value;
  return `'${cut.replace(/[\p{Cc}\p{Cf}]/gu, (c) => `\\u{${c.codePointAt(0)?.toString(16)}}`)}'`;
}
