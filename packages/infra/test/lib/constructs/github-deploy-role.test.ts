import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Repository } from 'aws-cdk-lib/aws-ecr';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { GithubDeployRole, type GithubDeployRoleProps } from '../../../lib/constructs/github-deploy-role.js';

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
