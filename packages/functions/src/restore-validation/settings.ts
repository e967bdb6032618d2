import { FunctionConfigError } from '../errors.js';
import { LAMBDA_CA_BUNDLE_PATH } from '../shared/lambda-runtime.js';

/** What the restore validation function needs from its environment. */
export interface RestoreValidationSettings {
  /** The environment's restore testing plan: only its jobs are validated. */
  readonly restoreTestingPlanArn: string;
  /** Master secret of the source database; the restored copy keeps the password it had at backup time. */
  readonly masterSecretArn: string;
  readonly databaseName: string;
  readonly caBundlePath: string;
  /** The environment's recovery time objective: a restore slower than this fails the drill. */
  readonly rtoMinutes: number;
  /** CloudWatch namespace and `Environment` dimension of the drill's metrics. */
  readonly metricNamespace: string;
  readonly environmentName: string;
}

const PLAN_ARN = /^arn:aws[a-z-]*:backup:[a-z0-9-]+:\d{12}:restore-testing-plan:[A-Za-z0-9_-]+$/;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/;

/** Reads and checks the settings; a missing or malformed variable is a FunctionConfigError naming it. */
export function restoreValidationSettings(env: NodeJS.ProcessEnv): RestoreValidationSettings {
  const required = (name: string, pattern?: RegExp): string => {
    const value = env[name];
    if (!value) throw new FunctionConfigError(`missing environment variable ${name}`);
    if (pattern && !pattern.test(value)) {
      throw new FunctionConfigError(`${name} = ${JSON.stringify(value)} does not match ${pattern.source}`);
    }
    return value;
  };
  const rto = Number(required('RTO_MINUTES'));
  if (!Number.isInteger(rto) || rto < 1) {
    throw new FunctionConfigError(
      `RTO_MINUTES = ${JSON.stringify(env.RTO_MINUTES)} must be a whole number of minutes, at least 1`,
    );
  }
  return {
    restoreTestingPlanArn: required('RESTORE_TESTING_PLAN_ARN', PLAN_ARN),
    masterSecretArn: required('MASTER_SECRET_ARN', SECRET_ARN),
    databaseName: required('DB_NAME', /^[a-z_][a-z0-9_]{0,62}$/),
    caBundlePath: env.DB_CA_BUNDLE_PATH || LAMBDA_CA_BUNDLE_PATH,
    rtoMinutes: rto,
    metricNamespace: required('METRIC_NAMESPACE', /^[A-Za-z0-9/_.#:-]{1,255}$/),
    environmentName: required('ENVIRONMENT_NAME', /^[a-z][a-z0-9-]{0,15}$/),
  };
}
