import type { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag';
import { objectAt, templateProperties } from './values.js';

/** The parameter that refuses unencrypted connections, by engine family. */
const FORCE_SSL: readonly { family: RegExp; parameter: string; on: readonly unknown[] }[] = [
  { family: /postgres/, parameter: 'rds.force_ssl', on: ['1', 1, true, 'true'] },
  { family: /mysql|mariadb/, parameter: 'require_secure_transport', on: ['1', 1, 'ON', 'on', true, 'true'] },
];
const PARAMETER_GROUPS = new Set(['AWS::RDS::DBParameterGroup', 'AWS::RDS::DBClusterParameterGroup']);

/**
 * RDS parameter groups for PostgreSQL set `rds.force_ssl = 1` (MySQL and MariaDB:
 * `require_secure_transport = ON`), and database instances do not fall back to the
 * engine's default parameter group, whose setting Citadel does not control.
 */
export function RdsParameterGroupForcesSsl(node: CfnResource): NagRuleResult {
  if (PARAMETER_GROUPS.has(node.cfnResourceType)) {
    const properties = templateProperties(node);
    const setting = FORCE_SSL.find((candidate) => candidate.family.test(String(properties.Family)));
    if (setting === undefined) return NagRuleCompliance.NOT_APPLICABLE;
    return setting.on.includes(objectAt(properties, 'Parameters')[setting.parameter])
      ? NagRuleCompliance.COMPLIANT
      : NagRuleCompliance.NON_COMPLIANT;
  }
  if (node.cfnResourceType === 'AWS::RDS::DBInstance') {
    const { Engine, DBParameterGroupName } = templateProperties(node);
    if (!/^(postgres|mysql|mariadb)$/.test(String(Engine))) return NagRuleCompliance.NOT_APPLICABLE;
    return DBParameterGroupName === undefined ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
  }
  return NagRuleCompliance.NOT_APPLICABLE;
}
