import { Logger } from '@aws-lambda-powertools/logger';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { LAMBDA_CA_BUNDLE_PATH } from '../shared/lambda-runtime.js';
import { createDatabaseBootstrap } from './bootstrap-handler.js';
import { tlsMasterConnector } from './master-connection.js';

const logger = new Logger({ serviceName: 'database-bootstrap' });
const secrets = new SecretsManagerClient({});

/** CloudFormation custom resource (CDK Provider `onEvent`): migrations, IAM login for each workload's own role, least privilege. */
export const handler = createDatabaseBootstrap({
  secrets,
  connectMaster: tlsMasterConnector(process.env.DB_CA_BUNDLE_PATH ?? LAMBDA_CA_BUNDLE_PATH),
  logger,
});
