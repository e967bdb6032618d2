import { PCI_DSS_VERSION } from '@citadel/infra/compliance';

/** A resource type and the setting on it that meets a control. */
export interface Evidence {
  readonly type: string;
  readonly setting: string;
}

/** One HIPAA Security Rule safeguard or PCI DSS v4.0.1 requirement and how Citadel meets it. */
export interface Control {
  readonly framework: 'HIPAA' | typeof PCI_DSS_VERSION;
  /** The safeguard, or the PCI DSS v4.0.1 requirement id (`10.5.1`). */
  readonly id: string;
  readonly title: string;
  /** Further PCI DSS v4.0.1 requirements the same evidence meets. */
  readonly related?: readonly string[];
  /** Resources (by type) and settings that meet the control in AWS. */
  readonly evidence: readonly Evidence[];
  /** Rule ids (standard packs and Citadel's) that verify those settings at synth. */
  readonly rules: readonly string[];
  /** What remains the customer's to do; a control with no evidence is wholly the customer's. */
  readonly customer?: string;
}

const H = 'HIPAA.Security';
/** cdk-nag's PCI DSS pack is written against v3.2.1; each row names the v4.0.1 requirement its rules evidence. */
const P = 'PCI.DSS.321';
const N = 'NIST.800.53.R5';

const KEYS: Evidence = { type: 'AWS::KMS::Key', setting: 'customer-managed key per data class, rotation on' };
const LOG_GROUPS: Evidence = { type: 'AWS::Logs::LogGroup', setting: 'KMS-encrypted, retention >= 90 days' };
const ROLES: Evidence = { type: 'AWS::IAM::Role', setting: 'one role per workload, scoped policies' };
const SECURITY_GROUPS: Evidence = {
  type: 'AWS::EC2::SecurityGroup',
  setting: 'ingress only from named peers',
};
const DATABASE: Evidence = {
  type: 'AWS::RDS::DBInstance',
  setting: 'encrypted, IAM auth, private, Multi-AZ',
};
const ALARMS: Evidence = {
  type: 'AWS::CloudWatch::Alarm',
  setting: 'alarm actions notify the on-call topic',
};
const TOPIC: Evidence = { type: 'AWS::SNS::Topic', setting: 'KMS-encrypted alarm topic' };
const TRAIL: Evidence = { type: 'AWS::CloudTrail::Trail', setting: 'all regions, log file validation, KMS' };
const FLOW_LOGS: Evidence = { type: 'AWS::EC2::FlowLog', setting: 'all traffic to CloudWatch Logs and S3' };
const WAF: Evidence = { type: 'AWS::WAFv2::WebACL', setting: 'managed rule groups and a rate-based rule' };
const LISTENERS: Evidence = {
  type: 'AWS::ElasticLoadBalancingV2::Listener',
  setting: 'HTTPS TLS 1.2+; HTTP redirects',
};
const ENDPOINTS: Evidence = {
  type: 'AWS::EC2::VPCEndpoint',
  setting: 'AWS APIs through private endpoints only',
};
const BUCKETS: Evidence = {
  type: 'AWS::S3::Bucket',
  setting: 'SSE-KMS or SSE-S3, versioned, TLS-only, no public access',
};

const CHANGE_RECORDS: Evidence = {
  type: 'AWS::S3::Bucket',
  setting: 'change-record bucket: Object Lock (COMPLIANCE in production), KMS, every delete denied',
};

/** A control as a reader finds it in the standard: `PCI DSS v4.0.1 1.3.1 (also 1.3.2, 1.2.1)`. */
export function controlLabel(control: Control): string {
  const related = control.related?.length ? ` (also ${control.related.join(', ')})` : '';
  return `${control.framework} ${control.id}${related}`;
}

/** The control mapping the report renders, HIPAA safeguards first, then PCI DSS v4.0.1 requirements. */
export const CONTROLS: readonly Control[] = [
  {
    framework: 'HIPAA',
    id: '164.308(a)(1)(ii)(A)',
    title: 'Risk analysis',
    evidence: [],
    rules: [],
    customer:
      'Perform and document an accurate and thorough risk analysis of ePHI; this report is an input to it.',
  },
  {
    framework: 'HIPAA',
    id: '164.308(a)(1)(ii)(D)',
    title: 'Information system activity review',
    evidence: [
      LOG_GROUPS,
      TRAIL,
      ALARMS,
      { type: 'AWS::Logs::MetricFilter', setting: 'auth_failed events counted' },
    ],
    rules: [`${H}-CloudTrailCloudWatchLogsEnabled`, `${H}-CloudWatchLogGroupRetentionPeriod`, 'Citadel-LOG1'],
    customer: 'Review the logs and alarms regularly and record the reviews.',
  },
  {
    framework: 'HIPAA',
    id: '164.308(a)(3)(ii)(A) / (a)(4)',
    title: 'Workforce authorization and information access management',
    evidence: [
      ROLES,
      { type: 'AWS::IAM::OIDCProvider', setting: 'deploys through short-lived GitHub OIDC credentials' },
    ],
    rules: [`${H}-IAMNoInlinePolicy`, `${H}-IAMPolicyNoStatementsWithAdminAccess`, 'AwsSolutions-IAM5'],
    customer:
      'Grant and review human access to the AWS account (IAM Identity Center) and to the application.',
  },
  {
    framework: 'HIPAA',
    id: '164.308(a)(5)(ii)(C)',
    title: 'Log-in monitoring',
    evidence: [{ type: 'AWS::Logs::MetricFilter', setting: 'auth_failed events counted' }, ALARMS],
    rules: [`${H}-CloudWatchAlarmAction`],
  },
  {
    framework: 'HIPAA',
    id: '164.308(a)(5)(ii)(A)',
    title: 'Security awareness and training',
    evidence: [],
    rules: [],
    customer: 'Train the workforce; no infrastructure setting meets this.',
  },
  {
    framework: 'HIPAA',
    id: '164.308(a)(6)(ii)',
    title: 'Security incident response and reporting',
    evidence: [
      TOPIC,
      ALARMS,
      { type: 'AWS::GuardDuty::Detector', setting: 'threat detection (baseline stack)' },
    ],
    rules: [`${H}-CloudWatchAlarmAction`, `${H}-SNSEncryptedKMS`],
    customer: 'Follow docs/operations.md incident response; report breaches as the rule requires.',
  },
  {
    framework: 'HIPAA',
    id: '164.308(a)(7)(ii)(A)',
    title: 'Data backup plan',
    evidence: [
      { type: 'AWS::Backup::BackupPlan', setting: 'scheduled backups of the database' },
      { type: 'AWS::Backup::BackupVault', setting: 'KMS-encrypted, vault lock' },
      { type: 'AWS::RDS::DBInstance', setting: 'automated backups with point-in-time recovery' },
    ],
    rules: [`${H}-RDSInBackupPlan`, `${H}-RDSInstanceBackupEnabled`, 'Citadel-BAK1'],
    customer: 'Test restores periodically (docs/operations.md).',
  },
  {
    framework: 'HIPAA',
    id: '164.308(a)(7)(ii)(B)',
    title: 'Disaster recovery plan',
    evidence: [{ type: 'AWS::RDS::DBInstance', setting: 'Multi-AZ where config enables it' }],
    rules: [`${H}-RDSMultiAZSupport`, `${H}-RDSInstanceDeletionProtectionEnabled`],
    customer: 'Own the recovery objectives and the regional recovery plan.',
  },
  {
    framework: 'HIPAA',
    id: '164.308(a)(8)',
    title: 'Evaluation',
    evidence: [
      CHANGE_RECORDS,
      { type: 'AWS::IAM::Role', setting: 'deploy role may only add records under its prefix' },
    ],
    rules: [`${H}-S3BucketVersioningEnabled`, `${H}-S3DefaultEncryptionKMS`],
    customer:
      'Review the change records (npm run report -- --change-records <dir>) after each environmental or operational change.',
  },
  {
    framework: 'HIPAA',
    id: '164.308(b)(1)',
    title: 'Business associate contracts',
    evidence: [],
    rules: [],
    customer: 'Accept the AWS Business Associate Addendum and use HIPAA-eligible services only.',
  },
  {
    framework: 'HIPAA',
    id: '164.312(a)(1)',
    title: 'Access control',
    evidence: [
      SECURITY_GROUPS,
      ENDPOINTS,
      { type: 'AWS::EC2::Subnet', setting: 'workloads in private isolated subnets' },
    ],
    rules: [
      `${H}-VPCDefaultSecurityGroupClosed`,
      `${H}-RDSInstancePublicAccess`,
      `${H}-LambdaInsideVPC`,
      'AwsSolutions-EC23',
      'Citadel-VPC1',
    ],
  },
  {
    framework: 'HIPAA',
    id: '164.312(a)(2)(i)',
    title: 'Unique user identification',
    evidence: [
      { type: 'AWS::RDS::DBInstance', setting: 'IAM database authentication per workload role' },
      ROLES,
    ],
    rules: ['Citadel-RDS2'],
    customer: 'Give every person their own identity in the identity provider and the application.',
  },
  {
    framework: 'HIPAA',
    id: '164.312(a)(2)(iv)',
    title: 'Encryption and decryption (at rest)',
    evidence: [
      KEYS,
      DATABASE,
      { type: 'AWS::SQS::Queue', setting: 'customer-managed KMS key' },
      BUCKETS,
      LOG_GROUPS,
      { type: 'AWS::SecretsManager::Secret', setting: 'secrets key' },
    ],
    rules: [
      `${H}-RDSStorageEncrypted`,
      `${H}-S3DefaultEncryptionKMS`,
      `${H}-CloudWatchLogGroupEncrypted`,
      `${H}-SecretsManagerUsingKMSKey`,
      'AwsSolutions-KMS5',
      'Citadel-KMS1',
      'Citadel-LOG1',
    ],
  },
  {
    framework: 'HIPAA',
    id: '164.312(b)',
    title: 'Audit controls',
    evidence: [
      FLOW_LOGS,
      TRAIL,
      LOG_GROUPS,
      { type: 'AWS::WAFv2::LoggingConfiguration', setting: 'WAF logs' },
    ],
    rules: [
      `${H}-VPCFlowLogsEnabled`,
      `${H}-ELBLoggingEnabled`,
      `${H}-RDSLoggingEnabled`,
      `${H}-S3BucketLoggingEnabled`,
      `${H}-WAFv2LoggingEnabled`,
      'Citadel-LOG1',
    ],
  },
  {
    framework: 'HIPAA',
    id: '164.312(c)(1)',
    title: 'Integrity',
    evidence: [BUCKETS, { type: 'AWS::Backup::BackupVault', setting: 'vault lock' }, TRAIL],
    rules: [`${H}-S3BucketVersioningEnabled`, `${H}-CloudTrailLogFileValidationEnabled`, 'Citadel-BAK1'],
    customer: 'Application-level integrity of records (audit_events is append-only in the database).',
  },
  {
    framework: 'HIPAA',
    id: '164.312(d)',
    title: 'Person or entity authentication',
    evidence: [
      { type: 'AWS::RDS::DBInstance', setting: 'IAM authentication for workloads' },
      { type: 'AWS::IAM::OIDCProvider', setting: 'CI authenticates by OIDC' },
    ],
    rules: ['Citadel-RDS2'],
    customer: 'Operate the identity provider that issues the API’s JWTs, with MFA for people.',
  },
  {
    framework: 'HIPAA',
    id: '164.312(e)(1)',
    title: 'Transmission security',
    evidence: [
      LISTENERS,
      { type: 'AWS::RDS::DBParameterGroup', setting: 'rds.force_ssl = 1' },
      BUCKETS,
      ENDPOINTS,
    ],
    rules: [
      `${H}-ELBTlsHttpsListenersOnly`,
      `${H}-ALBHttpToHttpsRedirection`,
      `${H}-S3BucketSSLRequestsOnly`,
      'Citadel-ALB1',
      'Citadel-ALB2',
      'Citadel-RDS1',
    ],
  },
  {
    framework: PCI_DSS_VERSION,
    id: '1.3.1',
    title: 'Network security controls restrict traffic to and from the CDE',
    related: ['1.3.2', '1.2.1'],
    evidence: [
      SECURITY_GROUPS,
      ENDPOINTS,
      { type: 'AWS::EC2::Subnet', setting: 'no NAT, no default route in private subnets' },
    ],
    rules: [
      `${P}-VPCDefaultSecurityGroupClosed`,
      `${P}-VPCNoUnrestrictedRouteToIGW`,
      `${P}-EC2RestrictedCommonPorts`,
      'Citadel-VPC1',
    ],
  },
  {
    framework: PCI_DSS_VERSION,
    id: '1.4.1',
    title: 'Controls between trusted and untrusted networks',
    related: ['1.4.2', '1.4.4'],
    evidence: [
      {
        type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
        setting: 'the only internet-facing component, in public subnets',
      },
      WAF,
    ],
    rules: [
      `${P}-ALBWAFEnabled`,
      `${P}-RDSInstancePublicAccess`,
      `${P}-LambdaFunctionPublicAccessProhibited`,
    ],
  },
  {
    framework: PCI_DSS_VERSION,
    id: '2.2.1',
    title: 'System components configured and managed securely',
    related: ['2.2.6'],
    evidence: [
      { type: 'AWS::ECS::TaskDefinition', setting: 'non-root user, read-only root filesystem' },
      { type: 'AWS::RDS::DBInstance', setting: 'automatic minor version upgrades' },
    ],
    rules: [`${P}-RDSAutomaticMinorVersionUpgradeEnabled`, 'AwsSolutions-ECS2', 'Citadel-ECS1'],
  },
  {
    framework: PCI_DSS_VERSION,
    id: '3.5.1',
    title: 'Stored account data is protected (strong cryptography)',
    evidence: [DATABASE, { type: 'AWS::SQS::Queue', setting: 'messages key' }, BUCKETS, LOG_GROUPS],
    rules: [
      `${P}-RDSStorageEncrypted`,
      `${P}-S3DefaultEncryptionKMS`,
      `${P}-CloudWatchLogGroupEncrypted`,
      'Citadel-KMS1',
    ],
    customer: 'Do not store PAN unless needed; the API rejects card numbers in free-text fields.',
  },
  {
    framework: PCI_DSS_VERSION,
    id: '3.6.1',
    title: 'Cryptographic keys are managed',
    related: ['3.7.4'],
    evidence: [KEYS],
    rules: [`${P}-KMSBackingKeyRotationEnabled`, 'AwsSolutions-KMS5'],
    customer: 'Review key policies and who may administer keys.',
  },
  {
    framework: PCI_DSS_VERSION,
    id: '4.2.1',
    title: 'Strong cryptography for data in transit over open networks',
    evidence: [LISTENERS, { type: 'AWS::CertificateManager::Certificate', setting: 'ACM certificate' }],
    rules: [
      `${P}-ELBTlsHttpsListenersOnly`,
      `${P}-ALBHttpToHttpsRedirection`,
      `${P}-S3BucketSSLRequestsOnly`,
      'Citadel-ALB1',
      'Citadel-ALB2',
    ],
  },
  {
    framework: PCI_DSS_VERSION,
    id: '5.2.1',
    title: 'Malware and intrusion detection',
    related: ['11.5.1'],
    evidence: [
      { type: 'AWS::GuardDuty::Detector', setting: 'GuardDuty (baseline stack)' },
      { type: 'AWS::ECR::Repository', setting: 'image scan on push' },
    ],
    rules: [],
    customer: 'Act on GuardDuty and image-scan findings.',
  },
  {
    framework: PCI_DSS_VERSION,
    id: '6.3.3',
    title: 'Known vulnerabilities are patched',
    evidence: [{ type: 'AWS::ECR::Repository', setting: 'scan on push, immutable tags' }, DATABASE],
    rules: [`${P}-RDSAutomaticMinorVersionUpgradeEnabled`],
    customer: 'Rebuild and redeploy images for critical findings within one month.',
  },
  {
    framework: PCI_DSS_VERSION,
    id: '6.4.2',
    title: 'Public-facing web applications are protected against attacks',
    related: ['6.4.1'],
    evidence: [WAF, { type: 'AWS::WAFv2::WebACLAssociation', setting: 'web ACL on the load balancer' }],
    rules: [`${P}-ALBWAFEnabled`, `${P}-WAFv2LoggingEnabled`, 'Citadel-WAF1'],
  },
  {
    framework: PCI_DSS_VERSION,
    id: '6.5.1',
    related: ['6.5.2'],
    title: 'Changes are documented, approved and confirmed',
    evidence: [
      CHANGE_RECORDS,
      {
        type: 'AWS::IAM::Role',
        setting: 'GitHub environment reviewers approve before the deploy role is assumed',
      },
    ],
    rules: [`${P}-S3BucketVersioningEnabled`, `${P}-S3DefaultEncryptionKMS`],
    customer:
      'Require reviewers on the prod GitHub environment; confirm after each significant change that the alarms in its record are OK.',
  },
  {
    framework: PCI_DSS_VERSION,
    id: '7.2.2',
    title: 'Access is assigned by least privilege',
    related: ['7.2.1'],
    evidence: [ROLES],
    rules: [
      `${P}-IAMPolicyNoStatementsWithAdminAccess`,
      `${P}-IAMPolicyNoStatementsWithFullAccess`,
      'AwsSolutions-IAM5',
    ],
    customer: 'Review human access every six months.',
  },
  {
    framework: PCI_DSS_VERSION,
    id: '8.2.1',
    title: 'Identification and authentication; system accounts',
    related: ['8.3.2', '8.6.3'],
    evidence: [
      { type: 'AWS::SecretsManager::Secret', setting: 'generated master credentials' },
      { type: 'AWS::SecretsManager::RotationSchedule', setting: 'rotated every 30 days' },
      { type: 'AWS::RDS::DBInstance', setting: 'IAM authentication for workloads' },
    ],
    rules: [`${N}-SecretsManagerRotationEnabled`, 'AwsSolutions-SMG4', 'Citadel-RDS1', 'Citadel-RDS2'],
    customer: 'MFA for all access into the CDE by people.',
  },
  {
    framework: PCI_DSS_VERSION,
    id: '10.2.1',
    title: 'Audit logs are recorded and protected',
    related: ['10.3.1', '10.3.2'],
    evidence: [FLOW_LOGS, TRAIL, LOG_GROUPS, BUCKETS],
    rules: [
      `${P}-VPCFlowLogsEnabled`,
      `${P}-ELBLoggingEnabled`,
      `${P}-RDSLoggingEnabled`,
      `${P}-CloudWatchLogGroupEncrypted`,
      'Citadel-LOG1',
    ],
  },
  {
    framework: PCI_DSS_VERSION,
    id: '10.5.1',
    title: 'Audit log history retained (12 months, 3 immediately available)',
    evidence: [LOG_GROUPS, { type: 'AWS::S3::Bucket', setting: 'log buckets keep objects beyond 90 days' }],
    rules: [`${P}-CloudWatchLogGroupRetentionPeriod`, 'Citadel-LOG1'],
    customer: 'Set 12-month retention in config for environments in PCI scope.',
  },
  {
    framework: PCI_DSS_VERSION,
    id: '10.7.2',
    title: 'Failures of critical security controls are detected',
    evidence: [ALARMS, TOPIC],
    rules: [`${N}-CloudWatchAlarmAction`],
  },
  {
    framework: PCI_DSS_VERSION,
    id: '11.3.1',
    title: 'Vulnerability scans and penetration tests',
    related: ['11.4.1'],
    evidence: [],
    rules: [],
    customer: 'Quarterly ASV scans and annual penetration tests.',
  },
  {
    framework: PCI_DSS_VERSION,
    id: '12.1.1',
    title: 'Information security policies and programs',
    related: ['12.10.1'],
    evidence: [],
    rules: [],
    customer: 'Policies, risk assessment, vendor management and incident response plan.',
  },
];

/** One guardrail every workload of a kind inherits, and the controls it gives evidence for. */
export interface WorkloadGuardrail {
  readonly id: string;
  /** Column heading in the "Workloads" section. */
  readonly title: string;
  /** What the templates must show for the guardrail to hold. */
  readonly holdsWhen: string;
  /** Controls of `CONTROLS`, as `<framework> <id>`. */
  readonly controls: readonly string[];
}

/** The guardrails the "Workloads" section checks per workload, in column order. */
export const WORKLOAD_GUARDRAILS = [
  {
    id: 'nonRootUser',
    title: 'Non-root user',
    holdsWhen: 'every container of its task definitions sets a numeric user other than uid 0',
    controls: ['PCI DSS v4.0.1 2.2.1'],
  },
  {
    id: 'readOnlyRootFilesystem',
    title: 'Read-only root filesystem',
    holdsWhen: 'every container of its task definitions has a read-only root filesystem',
    controls: ['PCI DSS v4.0.1 2.2.1'],
  },
  {
    id: 'noPublicIp',
    title: 'No public IP',
    holdsWhen: 'every service or schedule that starts its tasks sets AssignPublicIp to DISABLED',
    controls: ['PCI DSS v4.0.1 1.3.1', 'HIPAA 164.312(a)(1)'],
  },
  {
    id: 'encryptedRetainedLogs',
    title: 'Logs: KMS, retention',
    holdsWhen:
      'every container and function logs to a log group with a KMS key and a retention of at least 90 days',
    controls: ['HIPAA 164.312(b)', 'PCI DSS v4.0.1 10.2.1', 'PCI DSS v4.0.1 10.5.1'],
  },
  {
    id: 'alarmed',
    title: 'Alarm',
    holdsWhen:
      'an alarm of the monitoring stack watches one of its resources, its target group, or a metric its log filters write',
    controls: ['HIPAA 164.308(a)(1)(ii)(D)', 'PCI DSS v4.0.1 10.7.2'],
  },
  {
    id: 'scopedIam',
    title: 'IAM without unacknowledged wildcards',
    holdsWhen: 'no statement of its roles allows a `*` action or resource without an acknowledgment',
    controls: ['PCI DSS v4.0.1 7.2.2', 'HIPAA 164.312(a)(1)'],
  },
] as const satisfies readonly WorkloadGuardrail[];

export type WorkloadGuardrailId = (typeof WORKLOAD_GUARDRAILS)[number]['id'];

/** The PCI DSS v4.0.1 requirements each cdk-nag `PCI.DSS.321` rule of the mapping gives evidence for. */
export function pciDssRequirementsByRule(): ReadonlyMap<string, readonly string[]> {
  const byRule = new Map<string, string[]>();
  for (const control of CONTROLS) {
    if (control.framework !== PCI_DSS_VERSION) continue;
    for (const rule of control.rules.filter((id) => id.startsWith(`${P}-`))) {
      byRule.set(rule, [...(byRule.get(rule) ?? []), control.id]);
    }
  }
  return new Map([...byRule].sort(([a], [b]) => a.localeCompare(b)));
}

/** An in-account evaluation the baseline deploys: an AWS Config conformance pack or a Security Hub standard. */
export interface ContinuousCheck {
  readonly kind: 'AWS Config conformance pack' | 'Security Hub standard';
  readonly title: string;
  /** How the templates name it: the pack's `ConformancePackName`, or the standard's ARN after `standards/`. */
  readonly deployedAs: string;
  /** Controls of `CONTROLS`, as `<framework> <id>`, whose settings it evaluates over time. */
  readonly controls: readonly string[];
  /** What a reader of its results should know. */
  readonly note?: string;
}

/** Controls of one framework that rules verify at synth: the settings an in-account check re-evaluates. */
function verifiedControls(framework: Control['framework']): string[] {
  return CONTROLS.filter((control) => control.framework === framework && control.rules.length > 0).map(
    (control) => `${control.framework} ${control.id}`,
  );
}

/** The in-account checks Citadel's baseline can deploy, and the controls each evaluates. */
export const CONTINUOUS_CHECKS: readonly ContinuousCheck[] = [
  {
    kind: 'AWS Config conformance pack',
    title: 'Operational Best Practices for HIPAA Security',
    deployedAs: 'citadel-hipaa-security',
    controls: verifiedControls('HIPAA'),
  },
  {
    kind: 'AWS Config conformance pack',
    title: 'Operational Best Practices for PCI DSS 4.0',
    deployedAs: 'citadel-pci-dss-v4',
    controls: verifiedControls(PCI_DSS_VERSION),
    note: 'Its cw-loggroup-retention-period-check expects 365 days (requirement 10.5.1) and takes no parameter: log groups of an environment kept for fewer days show as non-compliant.',
  },
  {
    kind: 'Security Hub standard',
    title: 'PCI DSS v4.0.1',
    deployedAs: 'pci-dss/v/4.0.1',
    controls: verifiedControls(PCI_DSS_VERSION),
  },
  {
    kind: 'Security Hub standard',
    title: 'NIST SP 800-53 Rev. 5',
    deployedAs: 'nist-800-53/v/5.0.0',
    // NIST SP 800-66 Rev. 2 maps each HIPAA Security Rule standard to SP 800-53 controls.
    controls: verifiedControls('HIPAA'),
  },
  {
    kind: 'Security Hub standard',
    title: 'AWS Foundational Security Best Practices v1.0.0',
    deployedAs: 'aws-foundational-security-best-practices/v/1.0.0',
    controls: [],
    note: 'AWS best practices, not a regulatory framework; its findings support every control above.',
  },
];
