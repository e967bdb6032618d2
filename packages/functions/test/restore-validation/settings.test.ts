import { describe, expect, it } from 'vitest';
import { FunctionConfigError } from '../../src/errors.js';
import { restoreValidationSettings } from '../../src/restore-validation/settings.js';
import { PLAN_ARN, SECRET_ARN } from './fake-backup.js';

const env = {
  RESTORE_TESTING_PLAN_ARN: PLAN_ARN,
  MASTER_SECRET_ARN: SECRET_ARN,
  DB_NAME: 'citadel',
  RTO_MINUTES: '240',
  METRIC_NAMESPACE: 'Citadel/dev',
  ENVIRONMENT_NAME: 'dev',
};

describe('restoreValidationSettings', () => {
  it('reads the settings, with the Lambda CA bundle by default', () => {
    expect(restoreValidationSettings(env)).toMatchObject({
      restoreTestingPlanArn: PLAN_ARN,
      rtoMinutes: 240,
      caBundlePath: '/var/runtime/ca-cert.pem',
    });
  });

  it.each<[string, string | undefined]>([
    ['RESTORE_TESTING_PLAN_ARN', undefined],
    ['RESTORE_TESTING_PLAN_ARN', 'arn:aws:backup:eu-west-1:123456789012:backup-plan:x'],
    ['MASTER_SECRET_ARN', 'citadel/dev/database/master'],
    ['DB_NAME', 'citadel; DROP DATABASE citadel'],
    ['RTO_MINUTES', '0'],
    ['RTO_MINUTES', '4h'],
    ['ENVIRONMENT_NAME', 'Prod'],
  ])('fails when %s is %s, naming it', (name, value) => {
    expect(() => restoreValidationSettings({ ...env, [name]: value })).toThrow(FunctionConfigError);
    expect(() => restoreValidationSettings({ ...env, [name]: value })).toThrow(name);
  });
});
