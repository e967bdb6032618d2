import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AccountRootPrincipal, Role } from 'aws-cdk-lib/aws-iam';
import { DatabaseInstance } from 'aws-cdk-lib/aws-rds';
import { describe, expect, it } from 'vitest';
import { grantDatabaseConnect } from '../../../lib/constructs/grant-database-connect.js';
import { workloadFixture } from '../../support/workload-fixture.js';

describe('grantDatabaseConnect', () => {
  it('grants rds-db:connect on dbuser:<DbiResourceId>/<user>, not on the instance identifier', () => {
    // Prepare
    const { stack, database } = workloadFixture();
    const role = new Role(stack, 'Role', { assumedBy: new AccountRootPrincipal() });

    // Act
    grantDatabaseConnect(role, database, 'citadel_app');

    // Assess
    const databaseId = stack.getLogicalId(database.node.defaultChild as never);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Action: 'rds-db:connect',
            Effect: 'Allow',
            Resource: {
              'Fn::Join': [
                '',
                [
                  'arn:aws:rds-db:eu-west-1:123456789012:dbuser:',
                  { 'Fn::GetAtt': [databaseId, 'DbiResourceId'] },
                  '/citadel_app',
                ],
              ],
            },
          },
        ],
      },
    });
  });

  it('fails when the database has no instance resource id', () => {
    // Prepare
    const stack = new Stack(new App(), 'Imported');
    const imported = DatabaseInstance.fromDatabaseInstanceAttributes(stack, 'Db', {
      instanceIdentifier: 'citadel-dev-postgres',
      instanceEndpointAddress: 'db.example.internal',
      port: 5432,
      securityGroups: [],
    });
    const role = new Role(stack, 'Role', { assumedBy: new AccountRootPrincipal() });

    // Act + Assess
    expect(() => grantDatabaseConnect(role, imported, 'citadel_app')).toThrow(
      /Imported\/Db: instanceResourceId = undefined; pass the DatabaseInstance itself/,
    );
  });

  it('fails when the user name is not a plain PostgreSQL role name', () => {
    // Prepare
    const { stack, database } = workloadFixture();
    const role = new Role(stack, 'Role', { assumedBy: new AccountRootPrincipal() });

    // Act + Assess
    expect(() => grantDatabaseConnect(role, database, '*')).toThrow(
      'Fixture/Database: userName = "*"; give a plain PostgreSQL role name',
    );
  });
});
