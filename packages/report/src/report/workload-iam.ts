import { AWS_MANAGED_POLICIES } from '../access/aws-managed-policies.js';
import { fails, holds, notApplicable, type GuardrailCheck } from './guardrail-check.js';
import { displayName } from './inventories.js';
import type { TemplateIndex, TemplateResource } from './template-index.js';
import { ownedOfType, type WorkloadResources } from './workload-resources.js';

type Json = Record<string, unknown>;

/** Says whether `ruleId[finding]` is acknowledged on the construct at `path` or an ancestor. */
export type IsAcknowledged = (path: string, ruleId: string, finding: string) => boolean;

const WILDCARD_RULE = 'AwsSolutions-IAM5';
const MANAGED_POLICY_RULE = 'AwsSolutions-IAM4';

/** What a workload's roles allow, summed up. */
export interface WorkloadIam {
  readonly roles: readonly string[];
  /** Statements of the roles' own policies (inline and attached in the templates). */
  readonly statements: number;
  /** AWS managed policies attached, by name. */
  readonly managedPolicies: readonly string[];
  readonly acknowledgedWildcards: number;
  /** `Resource::* in app/Api/TaskRole/DefaultPolicy`: grants of `*` nobody acknowledged. */
  readonly unacknowledgedWildcards: readonly string[];
  /** Database roles the workload may sign in as by IAM (`rds-db:connect`), from the dbuser ARN. */
  readonly databaseRoles: readonly string[];
  readonly check: GuardrailCheck;
}

/**
 * A template value as one flat string, the way cdk-nag writes it in findings
 * (`Resource::<Queue.Arn>`), so a finding can be matched to its acknowledgment.
 */
export function flattenReference(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (node === null || typeof node !== 'object') return JSON.stringify(node);
  const record = node as Json;
  const join = record['Fn::Join'];
  if (Array.isArray(join) && Array.isArray(join[1]))
    return (join[1] as unknown[]).map(flattenReference).join(String(join[0]));
  if (record['Fn::Sub'] !== undefined) return flattenReference(record['Fn::Sub']);
  const getAtt = record['Fn::GetAtt'];
  if (Array.isArray(getAtt)) return `<${flattenReference(getAtt[0])}.${flattenReference(getAtt[1])}>`;
  if (record['Fn::ImportValue'] !== undefined) return flattenReference(record['Fn::ImportValue']);
  if (record.Ref !== undefined) return `<${flattenReference(record.Ref)}>`;
  return JSON.stringify(node);
}

const asList = (value: unknown): unknown[] =>
  Array.isArray(value) ? value : value === undefined ? [] : [value];

interface PolicyDocumentAt {
  readonly statements: readonly Json[];
  /** Construct path of the resource the rule packs judge: the policy, or the role for inline policies. */
  readonly path: string;
  readonly label: string;
}

/** The role's own policy documents: inline, and policies in the templates that name the role. */
function documentsOf(index: TemplateIndex, role: TemplateResource): PolicyDocumentAt[] {
  const statementsOf = (document: unknown): Json[] =>
    asList((document as Json | undefined)?.Statement).filter(
      (statement): statement is Json => statement !== null && typeof statement === 'object',
    );
  const inline = asList(role.properties.Policies).map((policy) => ({
    statements: statementsOf((policy as Json | undefined)?.PolicyDocument),
    path: role.path,
    label: displayName(role),
  }));
  const attachedByRole = new Set(
    asList(role.properties.ManagedPolicyArns).flatMap((arn) => {
      const target = index.resolve(arn, role);
      return target ? [target.key] : [];
    }),
  );
  const attached = [...index.ofType('AWS::IAM::Policy'), ...index.ofType('AWS::IAM::ManagedPolicy')]
    .filter(
      (policy) =>
        attachedByRole.has(policy.key) ||
        index.resolveAll(policy.properties.Roles, policy).some((target) => target.key === role.key),
    )
    .map((policy) => ({
      statements: statementsOf(policy.properties.PolicyDocument),
      path: policy.path,
      label: displayName(policy),
    }));
  return [...inline, ...attached];
}

/** cdk-nag's wildcard findings of one statement: `Action::s3:*`, `Resource::*`; `Not*` grants count as wildcards. */
function wildcardFindings(statement: Json): string[] {
  if (statement.Effect !== 'Allow') return [];
  const findings = [
    ...asList(statement.Action)
      .map(String)
      .filter((action) => action.includes('*'))
      .map((action) => `Action::${action}`),
    ...asList(statement.Resource)
      .map(flattenReference)
      .filter((resource) => resource.includes('*'))
      .map((resource) => `Resource::${resource}`),
  ];
  if (statement.NotAction !== undefined) findings.push(`NotAction::${asList(statement.NotAction).join(',')}`);
  if (statement.NotResource !== undefined)
    findings.push(`NotResource::${asList(statement.NotResource).map(flattenReference).join(',')}`);
  return findings;
}

/** `arn:aws:rds-db:…:dbuser:<resource id>/citadel_app` → `citadel_app`. */
function databaseRoleOf(resource: unknown): string | undefined {
  const flat = flattenReference(resource);
  const user = /:dbuser:[^/]*\/(.+)$/.exec(flat)?.[1] ?? (flat === '*' ? '*' : undefined);
  return user;
}

/** An AWS managed policy by name, and whether the access proof knows it grants no wildcard. */
function managedPolicyFindings(arn: unknown): { name: string; wildcard: boolean } | undefined {
  const flat = flattenReference(arn);
  const name = /:iam::aws:policy\/(.+)$/.exec(flat)?.[1];
  if (!name) return undefined;
  const document = AWS_MANAGED_POLICIES[name];
  const wildcard = document
    ? asList(document.Statement).some((statement) => wildcardFindings(statement as Json).length > 0)
    : true;
  return { name, wildcard };
}

/** Sums up the workload's roles: statements, wildcards (acknowledged or not) and database roles. */
export function workloadIam(
  index: TemplateIndex,
  workload: WorkloadResources,
  isAcknowledged: IsAcknowledged,
): WorkloadIam {
  const roles = ownedOfType(workload, 'AWS::IAM::Role');
  let statements = 0;
  let acknowledgedWildcards = 0;
  const unacknowledged: string[] = [];
  const databaseRoles = new Set<string>();
  const managedPolicies = new Set<string>();
  for (const role of roles) {
    for (const document of documentsOf(index, role)) {
      statements += document.statements.length;
      for (const statement of document.statements) {
        for (const finding of wildcardFindings(statement)) {
          if (isAcknowledged(document.path, WILDCARD_RULE, finding)) acknowledgedWildcards += 1;
          else unacknowledged.push(`${finding} in ${document.label}`);
        }
        if (statement.Effect === 'Allow' && asList(statement.Action).includes('rds-db:connect')) {
          for (const resource of asList(statement.Resource)) {
            const user = databaseRoleOf(resource);
            if (user !== undefined) databaseRoles.add(user);
          }
        }
      }
    }
    for (const arn of asList(role.properties.ManagedPolicyArns)) {
      const managed = managedPolicyFindings(arn);
      if (!managed) continue;
      managedPolicies.add(managed.name);
      if (!managed.wildcard) continue;
      if (isAcknowledged(role.path, MANAGED_POLICY_RULE, `Policy::${flattenReference(arn)}`))
        acknowledgedWildcards += 1;
      else unacknowledged.push(`AWS managed policy ${managed.name} on ${displayName(role)}`);
    }
  }
  const summary = `${roles.length} role${roles.length === 1 ? '' : 's'}, ${statements} statement${statements === 1 ? '' : 's'}`;
  const check =
    roles.length === 0
      ? notApplicable('no IAM role')
      : unacknowledged.length
        ? fails(`${summary}; unacknowledged: ${unacknowledged.join('; ')}`)
        : holds(
            `${summary}${acknowledgedWildcards ? `; ${acknowledgedWildcards} wildcard grant${acknowledgedWildcards === 1 ? '' : 's'} acknowledged` : '; no wildcard'}`,
          );
  return {
    roles: roles.map(displayName),
    statements,
    managedPolicies: [...managedPolicies],
    acknowledgedWildcards,
    unacknowledgedWildcards: unacknowledged,
    databaseRoles: [...databaseRoles].sort(),
    check,
  };
}
