import { ArnFormat, Stack } from 'aws-cdk-lib';
import { type Grant, type IGrantable, Grant as GrantFactory } from 'aws-cdk-lib/aws-iam';
import type { IDatabaseInstance } from 'aws-cdk-lib/aws-rds';
import { InvalidPropError } from '../invalid-prop-error.js';

/**
 * Lets `grantee` sign in to `database` as `userName` with an IAM token, and as no one else.
 *
 * The resource is `arn:<partition>:rds-db:<region>:<account>:dbuser:<DbiResourceId>/<user>`:
 * IAM matches the instance's resource id (`db-…`), not its identifier, so a policy built
 * from the identifier silently grants nothing.
 */
export function grantDatabaseConnect(
  grantee: IGrantable,
  database: IDatabaseInstance,
  userName: string,
): Grant {
  const resourceId = database.instanceResourceId;
  if (resourceId === undefined) {
    throw new InvalidPropError(
      database.node.path,
      'instanceResourceId',
      resourceId,
      'pass the DatabaseInstance itself (or import it with instanceResourceId) so the rds-db:connect resource can be built',
    );
  }
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(userName)) {
    throw new InvalidPropError(
      database.node.path,
      'userName',
      userName,
      'give a plain PostgreSQL role name: lower-case letters, digits and underscores',
    );
  }
  return GrantFactory.addToPrincipal({
    grantee,
    actions: ['rds-db:connect'],
    resourceArns: [
      Stack.of(database).formatArn({
        service: 'rds-db',
        resource: 'dbuser',
        resourceName: `${resourceId}/${userName}`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    ],
  });
}
