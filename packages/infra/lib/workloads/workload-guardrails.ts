import type { ISecurityGroup } from 'aws-cdk-lib/aws-ec2';
import type { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import {
  createDatabaseClientSecurityGroup,
  createEndpointClientSecurityGroup,
} from '../constructs/database-client-security-group.js';
import { EncryptedLogGroup } from '../constructs/encrypted-log-group.js';
import type { WorkloadPlatform } from '../platform/platform.js';
import type { WorkloadKind } from './workload-tags.js';

/** A workload's log group, `Logs` in `scope`: encrypted with the platform's log key, kept for its retention. */
export function createWorkloadLogGroup(scope: Construct, platform: WorkloadPlatform): LogGroup {
  return new EncryptedLogGroup(scope, 'Logs', {
    encryptionKey: platform.logPolicy.key,
    retentionDays: platform.logPolicy.retentionDays,
  }).logGroup;
}

export interface WorkloadSecurityGroupProps {
  readonly platform: WorkloadPlatform;
  readonly kind: WorkloadKind;
  readonly name: string;
  /** The database role the workload signs in as. @default - no database access */
  readonly databaseRole?: string;
}

/**
 * A workload's security group, `SecurityGroup` in `scope`: HTTPS to the VPC endpoints and
 * S3, and PostgreSQL to the platform's database only for a workload with a database role.
 */
export function createWorkloadSecurityGroup(
  scope: Construct,
  props: WorkloadSecurityGroupProps,
): ISecurityGroup {
  const { vpc } = props.platform.placement;
  const description = `Citadel ${props.kind} ${props.name}`;
  return props.databaseRole === undefined
    ? createEndpointClientSecurityGroup(scope, { vpc, description })
    : createDatabaseClientSecurityGroup(scope, {
        vpc,
        database: props.platform.database.instance,
        description,
      });
}
