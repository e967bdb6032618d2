import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SecretValueError } from '../../src/errors.js';
import {
  masterCredentialsByStage,
  restoredInstanceHost,
  restoredPoolConfig,
} from '../../src/restore-validation/restored-connection.js';
import { FakeStagedSecrets, RESTORED_ARN, SECRET_ARN, SOURCE_HOST } from './fake-backup.js';

describe('restoredInstanceHost', () => {
  it('puts the restored identifier in front of the source endpoint’s account and region', () => {
    expect(restoredInstanceHost(RESTORED_ARN, SOURCE_HOST)).toBe(
      'awsbackup-restore-test-5e0f8a1b2c3d.c9akciq32.eu-west-1.rds.amazonaws.com',
    );
  });

  it.each<[string, unknown]>([
    ['missing', undefined],
    ['a cluster', 'arn:aws:rds:eu-west-1:123456789012:cluster:awsbackup-restore-test-1'],
    ['a snapshot', 'arn:aws:rds:eu-west-1:123456789012:snapshot:awsbackup:job-1'],
    ['a host injected after the identifier', `${RESTORED_ARN}.evil.example.com`],
    ['an upper-case identifier', 'arn:aws:rds:eu-west-1:123456789012:db:RESTORED'],
    ['a Unicode identifier', 'arn:aws:rds:eu-west-1:123456789012:db:restоred'],
    ['an oversize identifier', `arn:aws:rds:eu-west-1:123456789012:db:a${'b'.repeat(63)}`],
  ])('fails when the created resource is %s', (_, arn) => {
    expect(() => restoredInstanceHost(arn, SOURCE_HOST)).toThrow(SecretValueError);
  });

  it.each<[string, unknown]>([
    ['missing', undefined],
    ['an IP address', '10.30.4.17'],
    ['another domain', 'citadel-dev-postgres.c9akciq32.eu-west-1.rds.amazonaws.com.evil.example'],
    ['a proxy endpoint', 'citadel.proxy-c9akciq32.eu-west-1.rds.amazonaws.com'],
  ])('fails when the secret’s host is %s', (_, host) => {
    expect(() => restoredInstanceHost(RESTORED_ARN, host)).toThrow(/not an RDS instance endpoint/);
  });

  it('only ever yields a host under rds.amazonaws.com', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (arn, host) => {
        try {
          expect(restoredInstanceHost(arn, host)).toMatch(/\.rds\.amazonaws\.com(\.cn)?$/);
        } catch (error) {
          expect(error).toBeInstanceOf(SecretValueError);
        }
      }),
    );
  });
});

describe('masterCredentialsByStage', () => {
  const secret = JSON.stringify({ host: SOURCE_HOST, username: 'citadel_master', password: 'local-only' });

  it('reads AWSCURRENT, then AWSPREVIOUS when the secret has rotated', async () => {
    const secrets = new FakeStagedSecrets({ AWSCURRENT: secret, AWSPREVIOUS: secret });

    const stages = await masterCredentialsByStage(secrets, SECRET_ARN);

    expect(stages.map(({ stage }) => stage)).toEqual(['AWSCURRENT', 'AWSPREVIOUS']);
  });

  it('takes AWSCURRENT alone when the secret never rotated', async () => {
    const stages = await masterCredentialsByStage(new FakeStagedSecrets({ AWSCURRENT: secret }), SECRET_ARN);

    expect(stages.map(({ stage }) => stage)).toEqual(['AWSCURRENT']);
  });

  it.each([
    ['not JSON', 'password=local-only'],
    ['a JSON array', '["citadel_master"]'],
    ['without a password', JSON.stringify({ username: 'citadel_master' })],
  ])('fails when AWSCURRENT is %s, without quoting it', async (_, value) => {
    const secrets = new FakeStagedSecrets({ AWSCURRENT: value });

    const error = await masterCredentialsByStage(secrets, SECRET_ARN).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(SecretValueError);
    expect((error as Error).message).not.toContain('local-only');
  });
});

describe('restoredPoolConfig', () => {
  it('verifies the server certificate against the CA bundle and the host name', () => {
    const config = restoredPoolConfig(
      {
        host: 'r.c9akciq32.eu-west-1.rds.amazonaws.com',
        port: 5432,
        database: 'citadel',
        user: 'u',
        password: 'p',
      },
      'CA',
    );

    expect(config.ssl).toEqual({
      ca: 'CA',
      rejectUnauthorized: true,
      servername: 'r.c9akciq32.eu-west-1.rds.amazonaws.com',
    });
    expect(config.max).toBe(1);
  });
});
