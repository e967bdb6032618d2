import { describe, expect, it } from 'vitest';
import { FunctionConfigError } from '../../src/errors.js';
import { poolOptionsFromEnvironment } from '../../src/payment-processor/pool-options.js';
import { LAMBDA_CA_BUNDLE_PATH } from '../../src/shared/lambda-runtime.js';

const lambdaEnvironment = {
  AWS_LAMBDA_FUNCTION_NAME: 'citadel-dev-payment-processor',
  AWS_REGION: 'eu-west-1',
  DB_HOST: 'citadel-dev.abcdefghij.eu-west-1.rds.amazonaws.com',
  DB_NAME: 'citadel',
  DB_USER: 'citadel_processor',
};

describe('poolOptionsFromEnvironment', () => {
  it('connects with IAM authentication over TLS verified against the Lambda CA bundle', () => {
    expect(poolOptionsFromEnvironment(lambdaEnvironment)).toMatchObject({
      kind: 'iam',
      hostname: lambdaEnvironment.DB_HOST,
      port: 5432,
      database: 'citadel',
      username: 'citadel_processor',
      region: 'eu-west-1',
      caBundlePath: LAMBDA_CA_BUNDLE_PATH,
    });
  });

  it('takes the port and CA bundle path from the environment when set', () => {
    const options = poolOptionsFromEnvironment({
      ...lambdaEnvironment,
      DB_PORT: '6432',
      DB_CA_BUNDLE_PATH: '/opt/rds.pem',
    });

    expect(options).toMatchObject({ port: 6432, caBundlePath: '/opt/rds.pem' });
  });

  it('uses DATABASE_URL outside Lambda', () => {
    const options = poolOptionsFromEnvironment({ DATABASE_URL: 'postgres://localhost:5432/citadel' });

    expect(options).toMatchObject({ kind: 'url', connectionString: 'postgres://localhost:5432/citadel' });
  });

  it('fails when DATABASE_URL is set inside Lambda', () => {
    const act = () =>
      poolOptionsFromEnvironment({ ...lambdaEnvironment, DATABASE_URL: 'postgres://localhost:5432/citadel' });

    expect(act).toThrow(FunctionConfigError);
    expect(act).toThrow(/only honoured outside Lambda/);
  });

  it('fails naming every missing variable', () => {
    const act = () => poolOptionsFromEnvironment({ AWS_LAMBDA_FUNCTION_NAME: 'x', DB_HOST: 'db' });

    expect(act).toThrow(/DB_NAME, DB_USER, AWS_REGION/);
  });

  it.each(['0', '70000', 'postgres'])('fails when DB_PORT is %s', (port) => {
    expect(() => poolOptionsFromEnvironment({ ...lambdaEnvironment, DB_PORT: port })).toThrow(
      `DB_PORT must be a TCP port number, got "${port}"`,
    );
  });
});
