import { describe, expect, it } from 'vitest';
import {
  masterConnection,
  masterPoolConfig,
  tlsMasterConnector,
} from '../../src/database-bootstrap/master-connection.js';
import { parseBootstrapProperties } from '../../src/database-bootstrap/properties.js';
import { FunctionConfigError, SecretValueError } from '../../src/errors.js';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:citadel-dev-db-master-AbCdEf';
const secret = { username: 'citadel_admin', password: 'example-only', host: 'db.internal', port: 5432 };

describe('master connection', () => {
  it('takes host and port from the secret and the database from the properties', () => {
    const properties = parseBootstrapProperties({
      MasterSecretArn: ARN,
      DbName: 'citadel',
      AppUser: 'citadel_app',
      ProcessorUser: 'citadel_processor',
    });

    expect(masterConnection(secret, properties, ARN)).toEqual({
      host: 'db.internal',
      port: 5432,
      database: 'citadel',
      user: 'citadel_admin',
      password: 'example-only',
    });
  });

  it('prefers DbHost and DbPort from the properties', () => {
    const properties = parseBootstrapProperties({
      MasterSecretArn: ARN,
      DbName: 'citadel',
      AppUser: 'citadel_app',
      ProcessorUser: 'citadel_processor',
      DbHost: 'proxy.internal',
      DbPort: '6432',
    });

    expect(masterConnection(secret, properties, ARN)).toMatchObject({ host: 'proxy.internal', port: 6432 });
  });

  it.each([
    ['there is no password', { ...secret, password: undefined }, /"username" and "password"/],
    ['there is no host anywhere', { ...secret, host: undefined }, /has no "host"; set the DbHost property/],
  ])('fails when %s, naming the secret but not its value', (_case, value, message) => {
    const properties = parseBootstrapProperties({
      MasterSecretArn: ARN,
      DbName: 'citadel',
      AppUser: 'citadel_app',
      ProcessorUser: 'citadel_processor',
    });

    const act = () => masterConnection(value, properties, ARN);

    expect(act).toThrow(SecretValueError);
    expect(act).toThrow(message);
    expect(act).not.toThrow(/example-only/);
  });

  it('verifies the server certificate and host name against the CA bundle', () => {
    const config = masterPoolConfig(
      { host: 'db.internal', port: 5432, database: 'citadel', user: 'u', password: 'p' },
      'PEM',
    );

    expect(config.ssl).toEqual({ ca: 'PEM', rejectUnauthorized: true, servername: 'db.internal' });
  });

  it('fails when the CA bundle cannot be read', () => {
    const connect = tlsMasterConnector('/nonexistent/ca-cert.pem');

    const act = () =>
      connect({ host: 'db.internal', port: 5432, database: 'citadel', user: 'u', password: 'p' });

    expect(act).toThrow(FunctionConfigError);
    expect(act).toThrow('/nonexistent/ca-cert.pem');
  });
});
