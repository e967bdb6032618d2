import { FunctionConfigError } from '../errors.js';

/** Environment variables the mirror reads; the infrastructure sets them. */
export const JWKS_MIRROR_ENVIRONMENT = {
  jwksUrl: 'JWKS_URL',
  parameterName: 'JWKS_PARAMETER_NAME',
} as const;

/** A fully qualified SSM parameter name, e.g. `/citadel/prod/auth/jwks`. */
const PARAMETER_NAME = /^(\/[A-Za-z0-9_.-]+)+$/;

export interface MirrorSettings {
  /** The identity provider's public JWKS URL; always `https:`. */
  readonly jwksUrl: URL;
  /** The SSM parameter the key set is written to. */
  readonly parameterName: string;
}

/** Reads and checks the mirror's settings; each problem names the variable and the fix. */
export function mirrorSettingsFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
): MirrorSettings {
  const rawUrl = env[JWKS_MIRROR_ENVIRONMENT.jwksUrl]?.trim() ?? '';
  let jwksUrl: URL;
  try {
    jwksUrl = new URL(rawUrl);
  } catch {
    throw new FunctionConfigError(
      `${JWKS_MIRROR_ENVIRONMENT.jwksUrl}: '${rawUrl}' is not a URL; set the identity provider's https JWKS URL`,
    );
  }
  if (jwksUrl.protocol !== 'https:') {
    throw new FunctionConfigError(
      `${JWKS_MIRROR_ENVIRONMENT.jwksUrl}: protocol '${jwksUrl.protocol}' is refused; the key set is fetched over https only`,
    );
  }
  const parameterName = env[JWKS_MIRROR_ENVIRONMENT.parameterName]?.trim() ?? '';
  if (!PARAMETER_NAME.test(parameterName) || parameterName.length > 1011) {
    throw new FunctionConfigError(
      `${JWKS_MIRROR_ENVIRONMENT.parameterName}: '${parameterName}' is not a fully qualified SSM parameter name such as /citadel/prod/auth/jwks`,
    );
  }
  return { jwksUrl, parameterName };
}
