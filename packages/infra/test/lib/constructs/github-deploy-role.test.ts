import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Repository } from 'aws-cdk-lib/aws-ecr';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { GithubDeployRole, type GithubDeployRoleProps } from '../../../lib/constructs/github-deploy-role.js';
import { decide, statementsOf } from '../../support/policy-evaluator.js';
import { resolveIntrinsics } from '../../support/resolve-intrinsics.js';

const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';
const EXISTING_PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;

function build(props: Partial<GithubDeployRoleProps> = {}): { app: App; stack: Stack } {
  const app = new App();
  const stack = new Stack(app, 'Shared', { env: { account: ACCOUNT, region: REGION } });
  new GithubDeployRole(stack, 'GithubDeploy', {
    repository: 'example-org/citadel',
    environmentName: 'qa',
    imageRepository: Repository.fromRepositoryName(stack, 'Images', 'citadel/qa/api'),
    ...props,
  });
  return { app, stack };
}

function policyStatements(stack: Stack): { Sid: string; Action: string | string[]; Resource: unknown }[] {
  const policies = Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy');
  return Object.values(policies).flatMap(
    (p) => (p as { Properties: { PolicyDocument: { Statement: [] } } }).Properties.PolicyDocument.Statement,
  );
}

describe('GithubDeployRole', () => {
  it("trusts only the repository's GitHub environment, with the STS audience", () => {
    const { stack } = build();

    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'citadel-qa-github-deploy',
      MaxSessionDuration: 3600,
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRoleWithWebIdentity',
            Effect: 'Allow',
            Principal: { Federated: Match.anyValue() },
            Condition: {
              StringEquals: {
                'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
                'token.actions.githubusercontent.com:sub': 'repo:example-org/citadel:environment:qa',
              },
            },
          },
        ],
      },
    });
  });

  it('creates the GitHub OIDC provider when none is given', () => {
    const { stack } = build();

    Template.fromStack(stack).hasResourceProperties('AWS::IAM::OIDCProvider', {
      Url: 'https://token.actions.githubusercontent.com',
      ClientIdList: ['sts.amazonaws.com'],
    });
  });

  it("imports the account's existing provider instead of creating one", () => {
    const { stack } = build({ oidcProviderArn: EXISTING_PROVIDER });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Federated: EXISTING_PROVIDER } })],
      },
    });
  });

  it("may only assume the environment's four CDK bootstrap roles and push to the image repository", () => {
    const { stack } = build({ bootstrapQualifier: 'citadel' });

    const statements = policyStatements(stack);
    const actions = statements.flatMap((s) => s.Action);
    expect(actions.filter((a) => !a.startsWith('ecr:'))).toEqual(['sts:AssumeRole']);
    expect(JSON.stringify(statements.find((s) => s.Sid === 'AssumeCdkBootstrapRoles')!.Resource)).toEqual(
      JSON.stringify(
        ['deploy', 'file-publishing', 'image-publishing', 'lookup'].map((kind) => ({
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              `:iam::${ACCOUNT}:role/cdk-citadel-${kind}-role-${ACCOUNT}-${REGION}`,
            ],
          ],
        })),
      ),
    );
    expect(JSON.stringify(statements.find((s) => s.Sid === 'PushApiImage')!.Resource)).toContain(
      ':repository/citadel/qa/api',
    );
    expect(statements.filter((s) => s.Resource === '*').map((s) => s.Action)).toEqual([
      'ecr:GetAuthorizationToken',
    ]);
  });

  describe('with a recovery region', () => {
    const DEPLOY_ROLE = `arn:aws:sts::${ACCOUNT}:assumed-role/citadel-qa-github-deploy/deploy-qa-42`;
    const KINDS = ['deploy', 'file-publishing', 'image-publishing', 'lookup'];

    /** Whether the role's policies, as deployed in ${ACCOUNT}/${REGION}, let it assume `role`. */
    function mayAssume(stack: Stack, role: string): string {
      const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'))
        .map((p) => resolveIntrinsics(p.Properties.PolicyDocument, { account: ACCOUNT, region: REGION }))
        .flatMap(statementsOf);
      return decide(statements, { principal: DEPLOY_ROLE, action: 'sts:AssumeRole', resource: role });
    }
    const bootstrapRole = (kind: string, region: string, qualifier = 'hnb659fds') =>
      `arn:aws:iam::${ACCOUNT}:role/cdk-${qualifier}-${kind}-role-${ACCOUNT}-${region}`;

    it.each(KINDS)(
      'may assume the %s bootstrap role of its own region and of the recovery region',
      (kind) => {
        const { stack } = build({ recoveryRegion: 'eu-central-1' });

        expect(mayAssume(stack, bootstrapRole(kind, REGION))).toBe('Allowed');
        expect(mayAssume(stack, bootstrapRole(kind, 'eu-central-1'))).toBe('Allowed');
      },
    );

    it.each([
      ['a third region', bootstrapRole('deploy', 'us-east-1')],
      ['another qualifier in the recovery region', bootstrapRole('deploy', 'eu-central-1', 'other')],
      [
        'another role in the recovery region',
        `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-eu-central-1`,
      ],
      [
        'the recovery region of another account',
        `arn:aws:iam::222222222222:role/cdk-hnb659fds-deploy-role-222222222222-eu-central-1`,
      ],
    ])('may not assume a bootstrap role of %s', (_case, role) => {
      const { stack } = build({ recoveryRegion: 'eu-central-1' });

      expect(mayAssume(stack, role)).toBe('ImplicitlyDenied');
    });

    it('may not assume any role of another region without one', () => {
      const { stack } = build();

      expect(mayAssume(stack, bootstrapRole('deploy', REGION))).toBe('Allowed');
      expect(mayAssume(stack, bootstrapRole('deploy', 'eu-central-1'))).toBe('ImplicitlyDenied');
    });

    it('widens nothing but the bootstrap roles: the same actions as without one', () => {
      const actions = (stack: Stack) => policyStatements(stack).flatMap((s) => s.Action);

      expect(actions(build({ recoveryRegion: 'eu-central-1' }).stack)).toEqual(actions(build().stack));
    });

    it.each([
      ['is the primary region', REGION, /recoveryRegion "eu-west-1" is the stack's own region/],
      ['is not a region name', 'eu-central-1*', /recoveryRegion "eu-central-1\*" is not a region name/],
      ['names a wildcard of regions', '*', /recoveryRegion "\*" is not a region name/],
    ])('fails when the recovery region %s', (_case, recoveryRegion, message) => {
      expect(() => build({ recoveryRegion })).toThrow(message);
    });
  });

  it('leaves no unacknowledged finding in the four rule packs', () => {
    const { app } = build();

    const violations = [
      new AwsSolutionsChecks(),
      new HIPAASecurityChecks(),
      new NIST80053R5Checks(),
      new PCIDSS321Checks(),
    ]
      .flatMap((pack) => pack.validateScope(app).violations)
      .map((v) => v.ruleName);
    expect(violations).toEqual([]);
  });

  it.each([
    ['repository is not owner/name', { repository: 'citadel' }, /repository "citadel" is not "owner\/name"/],
    ['the environment name holds a colon', { environmentName: 'qa:*' }, /environmentName "qa:\*"/],
    [
      'the bootstrap qualifier is not what cdk bootstrap accepts',
      { bootstrapQualifier: 'Not-Valid' },
      /bootstrapQualifier "Not-Valid"/,
    ],
    [
      'the session may last longer than an hour',
      { maxSessionDuration: Duration.hours(2) },
      /maxSessionDuration 2 hours/,
    ],
  ])('fails when %s', (_case, props, message) => {
    expect(() => build(props)).toThrow(message);
  });
});
