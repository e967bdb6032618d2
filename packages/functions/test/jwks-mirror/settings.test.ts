import { describe, expect, it, vi } from 'vitest';
import { FunctionConfigError } from '../../src/errors.js';
import { mirrorSettingsFromEnvironment } from '../../src/jwks-mirror/settings.js';
import { scheduledEvent } from './scheduled-event.js';

describe('mirrorSettingsFromEnvironment', () => {
  it('reads the https JWKS URL and the parameter name', () => {
    // Act
    const settings = mirrorSettingsFromEnvironment({
      JWKS_URL: 'https://idp.example.com/.well-known/jwks.json',
      JWKS_PARAMETER_NAME: '/citadel/prod/auth/jwks',
    });

    // Assess
    expect(settings.jwksUrl.href).toBe('https://idp.example.com/.well-known/jwks.json');
    expect(settings.parameterName).toBe('/citadel/prod/auth/jwks');
  });

  it.each([
    [
      'an http URL',
      'http://idp.example.com/jwks.json',
      '/citadel/prod/auth/jwks',
      /JWKS_URL: protocol 'http:' is refused/,
    ],
    ['a missing URL', undefined, '/citadel/prod/auth/jwks', /JWKS_URL: '' is not a URL/],
    [
      'a relative parameter name',
      'https://idp.example.com/jwks.json',
      'citadel/jwks',
      /JWKS_PARAMETER_NAME: 'citadel\/jwks'/,
    ],
    [
      'a parameter name with spaces',
      'https://idp.example.com/jwks.json',
      '/citadel/a b',
      /JWKS_PARAMETER_NAME/,
    ],
  ])('fails when given %s', (_name, url, parameterName, message) => {
    // Act
    const act = () => mirrorSettingsFromEnvironment({ JWKS_URL: url, JWKS_PARAMETER_NAME: parameterName });

    // Assess
    expect(act).toThrow(FunctionConfigError);
    expect(act).toThrow(message);
  });

  it('fails the deployed handler when its JWKS URL is not https', async () => {
    // Prepare
    vi.stubEnv('JWKS_URL', 'http://idp.example.com/jwks.json');
    vi.stubEnv('JWKS_PARAMETER_NAME', '/citadel/prod/auth/jwks');
    vi.stubEnv('AWS_REGION', 'eu-west-1');

    const { handler } = await import('../../src/jwks-mirror/handler.js');

    // Act
    const run = async () => handler(scheduledEvent());

    // Assess
    await expect(run).rejects.toThrow(FunctionConfigError);
    vi.unstubAllEnvs();
  });
});
