import { Logger } from '@aws-lambda-powertools/logger';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createDeploymentCheck, failedForSettings, type DeploymentCheckHandler } from './check-handler.js';
import { deploymentCheckSettingsFromEnvironment } from './settings.js';

const logger = new Logger({ serviceName: 'deployment-check' });
const secrets = new SecretsManagerClient({});
// Settings are read on the first run, so a bad setting answers FAILED with its reason logged.
let check: DeploymentCheckHandler | undefined;

/** ECS deployment lifecycle hook → probes the new revision through the test listener before production traffic moves. */
export const handler: DeploymentCheckHandler = (event, context) => {
  try {
    check ??= createDeploymentCheck({
      settings: deploymentCheckSettingsFromEnvironment(process.env),
      secrets,
      logger,
    });
  } catch (error) {
    return Promise.resolve(failedForSettings(logger, error));
  }
  return check(event, context);
};
