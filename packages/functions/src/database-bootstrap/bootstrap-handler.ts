import type { Logger } from '@aws-lambda-powertools/logger';
import type { CustomResourceEvent, CustomResourceResponse } from '../shared/custom-resource.js';
import { readSecretJson, type SecretsReader } from '../shared/secrets.js';
import { bootstrapDatabase } from './bootstrap-database.js';
import { masterConnection, type ConnectMaster } from './master-connection.js';
import { parseBootstrapProperties, previousLoginRoles } from './properties.js';

export interface DatabaseBootstrapDependencies {
  readonly secrets: SecretsReader;
  readonly connectMaster: ConnectMaster;
  readonly logger: Logger;
}

export type DatabaseBootstrapHandler = (event: CustomResourceEvent) => Promise<CustomResourceResponse>;

/**
 * `onEvent` handler for the CDK Provider framework. Create and Update bootstrap the
 * database (the same idempotent steps); an Update also takes login away from the roles its
 * old properties listed and the new ones do not. Delete changes nothing, so removing the
 * resource or the stack never drops roles, takes a login away or touches data. The
 * physical id is fixed at Create.
 */
export function createDatabaseBootstrap({
  secrets,
  connectMaster,
  logger,
}: DatabaseBootstrapDependencies): DatabaseBootstrapHandler {
  return async (event) => {
    if (event.RequestType === 'Delete') {
      // Checked before the properties, so that even a resource with invalid ones deletes cleanly.
      logger.info('database bootstrap removed; database left unchanged', {
        physicalResourceId: event.PhysicalResourceId,
      });
      return { PhysicalResourceId: event.PhysicalResourceId };
    }
    const properties = parseBootstrapProperties(event.ResourceProperties);
    const physicalResourceId =
      event.RequestType === 'Create'
        ? `database-bootstrap/${properties.dbName}/${properties.appUser}`
        : event.PhysicalResourceId;
    const secret = await readSecretJson(secrets, properties.masterSecretArn);
    const connection = masterConnection(secret, properties, properties.masterSecretArn);
    const pool = connectMaster(connection);
    try {
      const result = await bootstrapDatabase(pool, properties, {
        previousLoginRoles:
          event.RequestType === 'Update' ? previousLoginRoles(event.OldResourceProperties) : [],
      });
      logger.info('database bootstrapped', {
        requestType: event.RequestType,
        host: connection.host,
        database: connection.database,
        appUser: properties.appUser,
        processorUser: properties.processorUser,
        loginRoles: properties.loginRoles,
        ...result,
      });
      return {
        PhysicalResourceId: physicalResourceId,
        Data: {
          AppUser: properties.appUser,
          ProcessorUser: properties.processorUser,
          LoginRoles: properties.loginRoles.join(','),
          MigrationsApplied: String(result.migrationsApplied.length),
        },
      };
    } finally {
      await pool.end();
    }
  };
}
