/** A resource type and the setting on it that meets a control. */
export interface Evidence {
  readonly type: string;
  readonly setting: string;
}

/** One HIPAA Security Rule safeguard or PCI DSS v4.0 requirement and how Citadel meets it. */
export interface Control {
  readonly framework: 'HIPAA' | 'PCI DSS v4.0';
  readonly id: string;
  readonly title: string;
  /** Resources (by type) and settings that meet the control in AWS. */
  readonly evidence: readonly Evidence[];
  /** Rule ids (standard packs and Citadel's) that verify those settings at synth. */
  readonly rules: readonly string[];
  /** What remains the customer's to do; a control with no evidence is wholly the customer's. */
  readonly customer?: string;
}

const H = 'HIPAA.Security';
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

/** The control mapping the report renders, HIPAA safeguards first, then PCI DSS v4.0 requirements. */
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
    framework: 'PCI DSS v4.0',
    id: '1.2 / 1.3',
    title: 'Network security controls restrict traffic to and from the CDE',
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
    framework: 'PCI DSS v4.0',
    id: '1.4',
    title: 'Controls between trusted and untrusted networks',
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
      'Citadel-WAF1',
    ],
  },
  {
    framework: 'PCI DSS v4.0',
    id: '2.2',
    title: 'System components configured and managed securely',
    evidence: [
      { type: 'AWS::ECS::TaskDefinition', setting: 'non-root user, read-only root filesystem' },
      { type: 'AWS::RDS::DBInstance', setting: 'automatic minor version upgrades' },
    ],
    rules: [`${P}-RDSAutomaticMinorVersionUpgradeEnabled`, 'AwsSolutions-ECS2', 'Citadel-ECS1'],
  },
  {
    framework: 'PCI DSS v4.0',
    id: '3.5',
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
    framework: 'PCI DSS v4.0',
    id: '3.6 / 3.7',
    title: 'Cryptographic keys are managed',
    evidence: [KEYS],
    rules: [`${P}-KMSBackingKeyRotationEnabled`, 'AwsSolutions-KMS5'],
    customer: 'Review key policies and who may administer keys.',
  },
  {
    framework: 'PCI DSS v4.0',
    id: '4.2.1',
    title: 'Strong cryptography for data in transit over open networks',
    evidence: [LISTENERS, { type: 'AWS::CertificateManager::Certificate', setting: 'ACM certificate' }],
    rules: [
      `${P}-ELBTlsHttpsListenersOnly`,
      `${P}-ALBHttpToHttpsRedirection`,
      `${P}-S3BucketSSLRequestsOnly`,
      'Citadel-ALB1',
      'Citadel-ALB2',
      'Citadel-RDS1',
    ],
  },
  {
    framework: 'PCI DSS v4.0',
    id: '5.2 / 11.5',
    title: 'Malware and intrusion detection',
    evidence: [
      { type: 'AWS::GuardDuty::Detector', setting: 'GuardDuty (baseline stack)' },
      { type: 'AWS::ECR::Repository', setting: 'image scan on push' },
    ],
    rules: [],
    customer: 'Act on GuardDuty and image-scan findings.',
  },
  {
    framework: 'PCI DSS v4.0',
    id: '6.3.3',
    title: 'Known vulnerabilities are patched',
    evidence: [{ type: 'AWS::ECR::Repository', setting: 'scan on push, immutable tags' }, DATABASE],
    rules: [`${P}-RDSAutomaticMinorVersionUpgradeEnabled`],
    customer: 'Rebuild and redeploy images for critical findings within one month.',
  },
  {
    framework: 'PCI DSS v4.0',
    id: '6.4.1 / 6.4.2',
    title: 'Public-facing web applications are protected against attacks',
    evidence: [WAF, { type: 'AWS::WAFv2::WebACLAssociation', setting: 'web ACL on the load balancer' }],
    rules: [`${P}-ALBWAFEnabled`, `${P}-WAFv2LoggingEnabled`, 'Citadel-WAF1'],
  },
  {
    framework: 'PCI DSS v4.0',
    id: '6.5.1 / 6.5.2',
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
    framework: 'PCI DSS v4.0',
    id: '7.2',
    title: 'Access is assigned by least privilege',
    evidence: [ROLES],
    rules: [
      `${P}-IAMPolicyNoStatementsWithAdminAccess`,
      `${P}-IAMPolicyNoStatementsWithFullAccess`,
      'AwsSolutions-IAM5',
    ],
    customer: 'Review human access every six months.',
  },
  {
    framework: 'PCI DSS v4.0',
    id: '8.2 / 8.3 / 8.6',
    title: 'Identification and authentication; system accounts',
    evidence: [
      { type: 'AWS::SecretsManager::Secret', setting: 'generated master credentials' },
      { type: 'AWS::SecretsManager::RotationSchedule', setting: 'rotated every 30 days' },
      { type: 'AWS::RDS::DBInstance', setting: 'IAM authentication for workloads' },
    ],
    rules: [`${N}-SecretsManagerRotationEnabled`, 'AwsSolutions-SMG4', 'Citadel-RDS2'],
    customer: 'MFA for all access into the CDE by people.',
  },
  {
    framework: 'PCI DSS v4.0',
    id: '10.2 / 10.3',
    title: 'Audit logs are recorded and protected',
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
    framework: 'PCI DSS v4.0',
    id: '10.5.1',
    title: 'Audit log history retained (12 months, 3 immediately available)',
    evidence: [LOG_GROUPS, { type: 'AWS::S3::Bucket', setting: 'log buckets keep objects beyond 90 days' }],
    rules: [`${P}-CloudWatchLogGroupRetentionPeriod`, 'Citadel-LOG1'],
    customer: 'Set 12-month retention in config for environments in PCI scope.',
  },
  {
    framework: 'PCI DSS v4.0',
    id: '10.7',
    title: 'Failures of critical security controls are detected',
    evidence: [ALARMS, TOPIC],
    rules: [`${N}-CloudWatchAlarmAction`],
  },
  {
    framework: 'PCI DSS v4.0',
    id: '11.3 / 11.4',
    title: 'Vulnerability scans and penetration tests',
    evidence: [],
    rules: [],
    customer: 'Quarterly ASV scans and annual penetration tests.',
  },
  {
    framework: 'PCI DSS v4.0',
    id: '12',
    title: 'Information security policies and programs',
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
    controls: ['PCI DSS v4.0 2.2'],
  },
  {
    id: 'readOnlyRootFilesystem',
    title: 'Read-only root filesystem',
    holdsWhen: 'every container of its task definitions has a read-only root filesystem',
    controls: ['PCI DSS v4.0 2.2'],
  },
  {
    id: 'noPublicIp',
    title: 'No public IP',
    holdsWhen: 'every service or schedule that starts its tasks sets AssignPublicIp to DISABLED',
    controls: ['PCI DSS v4.0 1.2 / 1.3', 'HIPAA 164.312(a)(1)'],
  },
  {
    id: 'encryptedRetainedLogs',
    title: 'Logs: KMS, retention',
    holdsWhen:
      'every container and function logs to a log group with a KMS key and a retention of at least 90 days',
    controls: ['HIPAA 164.312(b)', 'PCI DSS v4.0 10.2 / 10.3', 'PCI DSS v4.0 10.5.1'],
  },
  {
    id: 'alarmed',
    title: 'Alarm',
    holdsWhen:
      'an alarm of the monitoring stack watches one of its resources, its target group, or a metric its log filters write',
    controls: ['HIPAA 164.308(a)(1)(ii)(D)', 'PCI DSS v4.0 10.7'],
  },
  {
    id: 'scopedIam',
    title: 'IAM without unacknowledged wildcards',
    holdsWhen: 'no statement of its roles allows a `*` action or resource without an acknowledgment',
    controls: ['PCI DSS v4.0 7.2', 'HIPAA 164.312(a)(1)'],
  },
] as const satisfies readonly WorkloadGuardrail[];

export type WorkloadGuardrailId = (typeof WORKLOAD_GUARDRAILS)[number]['id'];
