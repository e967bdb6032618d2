import type { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag';
import { arrayAt, isTrue, templateProperties } from './values.js';

const ROOT_USER = /^(root|0)(:.*)?$/;

/**
 * Every container of an ECS task definition names a non-root `User` and has a read-only
 * root filesystem.
 *
 * Findings: `<container>::RootUser`, `<container>::WritableRootFilesystem`.
 */
export function TaskDefinitionNonRootReadOnly(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::ECS::TaskDefinition') return NagRuleCompliance.NOT_APPLICABLE;
  const findings: string[] = [];
  for (const container of arrayAt(templateProperties(node), 'ContainerDefinitions')) {
    const name = typeof container.Name === 'string' ? container.Name : 'unnamed';
    if (typeof container.User !== 'string' || ROOT_USER.test(container.User))
      findings.push(`${name}::RootUser`);
    if (!isTrue(container.ReadonlyRootFilesystem)) findings.push(`${name}::WritableRootFilesystem`);
  }
  return findings.length === 0 ? NagRuleCompliance.COMPLIANT : findings;
}
