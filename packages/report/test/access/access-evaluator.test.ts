import { describe, expect, it } from 'vitest';
import { AccessEvaluator, StagePolicies, type AccessRow } from '../../src/access/index.js';
import { fixtureStack, fixtureStage, statement } from './fixture-stage.js';

const QUEUE_ARN = 'arn:aws:sqs:eu-west-1:111111111111:payments';
const ROLE_ARN = 'arn:aws:iam::111111111111:role/api-task';

function evaluatorWith(endpointPolicy?: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const network = fixtureStack('network', {
    SqsEndpoint1111AAAA: {
      Type: 'AWS::EC2::VPCEndpoint',
      Properties: {
        ServiceName: 'com.amazonaws.eu-west-1.sqs',
        ...(endpointPolicy ? { PolicyDocument: endpointPolicy } : {}),
      },
    },
  });
  const app = fixtureStack('app', {
    Queue2222BBBB: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'payments' } },
    ApiTaskRole3333CCCC: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'api-task' } },
    ApiTaskPolicy4444DDDD: {
      Type: 'AWS::IAM::Policy',
      Properties: {
        Roles: [{ Ref: 'ApiTaskRole3333CCCC' }],
        PolicyDocument: statement({
          Effect: 'Allow',
          Action: 'sqs:SendMessage',
          Resource: { 'Fn::GetAtt': ['Queue2222BBBB', 'Arn'] },
        }),
      },
    },
    ...extra,
  } as never);
  return new AccessEvaluator(new StagePolicies(fixtureStage(network, app)));
}

const send: AccessRow = {
  who: '{app:ApiTaskRole.Arn}',
  action: 'sqs:SendMessage',
  resource: '{app:Queue.Arn}',
  via: 'sqs',
  why: 'test',
  frameworks: [],
};

describe('AccessEvaluator', () => {
  it('allows a call its identity policy grants through an endpoint without a policy', async () => {
    const result = await evaluatorWith().check(send, 'allow');
    expect(result).toMatchObject({
      outcome: 'allowed',
      passed: true,
      resolved: { principal: ROLE_ARN, resource: QUEUE_ARN },
    });
  });

  it('denies the same call when the endpoint policy admits only other queues', async () => {
    const evaluator = evaluatorWith(
      statement({ Effect: 'Allow', Principal: '*', Action: '*', Resource: `${QUEUE_ARN}-other` }),
    );
    expect((await evaluator.check(send, 'allow')).outcome).toBe('denied');
  });

  it('lets an endpoint policy match the resource account AWS puts in the request', async () => {
    const evaluator = evaluatorWith(
      statement({
        Effect: 'Allow',
        Principal: '*',
        Action: '*',
        Resource: '*',
        Condition: { StringEquals: { 'aws:ResourceAccount': '111111111111' } },
      }),
    );
    expect((await evaluator.check(send, 'allow')).outcome).toBe('allowed');
    const foreign = { ...send, resource: 'arn:aws:sqs:eu-west-1:000000000000:payments', endpointOnly: true };
    expect((await evaluator.check(foreign, 'deny')).outcome).toBe('denied');
  });

  it('applies a resource policy deny on top of an identity allow', async () => {
    const evaluator = evaluatorWith(undefined, {
      QueuePolicy5555EEEE: {
        Type: 'AWS::SQS::QueuePolicy',
        Properties: {
          Queues: [{ Ref: 'Queue2222BBBB' }],
          PolicyDocument: statement({
            Effect: 'Deny',
            Principal: '*',
            Action: 'sqs:*',
            Resource: '*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        },
      },
    });
    expect((await evaluator.check(send, 'allow')).outcome).toBe('allowed');
    expect(
      (await evaluator.check({ ...send, context: { 'aws:SecureTransport': 'false' } }, 'deny')).outcome,
    ).toBe('denied');
  });

  it('skips a row marked skipWhenAbsent when the environment lacks its resource', async () => {
    const row = { ...send, resource: '{app:MissingQueue.Arn}', skipWhenAbsent: true };
    expect(await evaluatorWith().check(row, 'allow')).toMatchObject({ outcome: 'skipped', passed: true });
  });

  it.each([
    [
      'a resource the environment lacks, without skipWhenAbsent',
      { ...send, resource: '{app:MissingQueue.Arn}' },
      /no resource MissingQueue/,
    ],
    ['a call through an endpoint the VPC does not have', { ...send, via: 'kms' }, /no VPC endpoint for kms/],
    [
      'a role the environment does not define',
      { ...send, who: 'arn:aws:iam::111111111111:role/ghost' },
      /defines no role/,
    ],
    [
      'an outside principal without stated identity',
      { ...send, who: 'arn:aws:iam::000000000000:role/x' },
      /outside test/,
    ],
    [
      'a principal that is neither ARN nor service',
      { ...send, who: 'somebody', identity: ['*'] },
      /neither an IAM ARN/,
    ],
    [
      'a placeholder that is not layer:id.attribute',
      { ...send, resource: '{app:Queue}' },
      /is not \{layer:LogicalId.Attribute\}/,
    ],
    ['a misspelled action', { ...send, action: 'sqs:SendMesage' }, /unknown IAM action/],
  ])('fails on %s', async (_name, row, error) => {
    await expect(evaluatorWith().check(row as AccessRow, 'allow')).rejects.toThrow(error);
  });
});

describe('StagePolicies', () => {
  it('fails when a role attaches an AWS managed policy the proof does not know', () => {
    const stack = fixtureStack('app', {
      Role1111AAAA: {
        Type: 'AWS::IAM::Role',
        Properties: { ManagedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'] },
      },
    });
    expect(() => new StagePolicies(fixtureStage(stack))).toThrow(
      /AdministratorAccess, which the access proof does not know/,
    );
  });

  it('fails when one topic carries two policies', () => {
    const policy = {
      Type: 'AWS::SNS::TopicPolicy',
      Properties: { Topics: [{ Ref: 'Topic1111AAAA' }], PolicyDocument: statement({ Effect: 'Allow' }) },
    };
    const stack = fixtureStack('app', {
      Topic1111AAAA: { Type: 'AWS::SNS::Topic', Properties: {} },
      A2222BBBB: policy,
      B3333CCCC: policy,
    });
    expect(() => new StagePolicies(fixtureStage(stack))).toThrow(/two resource policies/);
  });

  it('applies a customer managed policy attached by ARN and a bucket policy to the bucket objects', () => {
    const stack = fixtureStack('app', {
      Managed1111AAAA: {
        Type: 'AWS::IAM::ManagedPolicy',
        Properties: {
          ManagedPolicyName: 'deploy',
          PolicyDocument: statement({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }),
        },
      },
      Role2222BBBB: {
        Type: 'AWS::IAM::Role',
        Properties: { RoleName: 'deployer', ManagedPolicyArns: [{ Ref: 'Managed1111AAAA' }] },
      },
      Bucket3333CCCC: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'evidence' } },
      BucketPolicy4444DDDD: {
        Type: 'AWS::S3::BucketPolicy',
        Properties: { Bucket: { Ref: 'Bucket3333CCCC' }, PolicyDocument: statement({ Effect: 'Deny' }) },
      },
    });
    const policies = new StagePolicies(fixtureStage(stack));
    expect(
      policies.identityPoliciesOf('arn:aws:iam::111111111111:role/deployer')?.map((p) => p.name),
    ).toEqual(['citadel-test-app/Managed1111AAAA']);
    expect(policies.resourcePolicyOf('arn:aws:s3:::evidence/AWSLogs/x')?.name).toBe(
      'citadel-test-app/BucketPolicy4444DDDD',
    );
  });
});

describe('AccessEvaluator with function policies and resource-less actions', () => {
  const stack = fixtureStack('app', {
    Fn1111AAAA: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'mirror' } },
    Rule2222BBBB: { Type: 'AWS::Events::Rule', Properties: { Name: 'mirror-schedule' } },
    Permission3333CCCC: {
      Type: 'AWS::Lambda::Permission',
      Properties: {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': ['Fn1111AAAA', 'Arn'] },
        Principal: 'events.amazonaws.com',
        SourceArn: { 'Fn::GetAtt': ['Rule2222BBBB', 'Arn'] },
      },
    },
    Role4444DDDD: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'puller' } },
    Policy5555EEEE: {
      Type: 'AWS::IAM::Policy',
      Properties: {
        Roles: [{ Ref: 'Role4444DDDD' }],
        PolicyDocument: statement({ Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' }),
      },
    },
    EcrApi6666FFFF: {
      Type: 'AWS::EC2::VPCEndpoint',
      Properties: {
        ServiceName: 'com.amazonaws.eu-west-1.ecr.api',
        PolicyDocument: statement({
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: '*',
          Resource: '*',
          Condition: {
            StringEquals: { 'aws:ResourceAccount': '111111111111', 'aws:PrincipalAccount': '111111111111' },
          },
        }),
      },
    },
  });
  const evaluator = new AccessEvaluator(new StagePolicies(fixtureStage(stack)));
  const invoke: AccessRow = {
    who: 'events.amazonaws.com',
    action: 'lambda:InvokeFunction',
    resource: '{app:Fn.Arn}',
    context: { 'aws:SourceArn': '{app:Rule.Arn}' },
    why: 'test',
    frameworks: [],
  };

  it('lets the rule a Lambda permission names invoke the function', async () => {
    expect((await evaluator.check(invoke, 'allow')).outcome).toBe('allowed');
  });

  it('refuses another rule the same invocation', async () => {
    const other = {
      ...invoke,
      context: { 'aws:SourceArn': 'arn:aws:events:eu-west-1:111111111111:rule/other' },
    };
    expect((await evaluator.check(other, 'deny')).outcome).toBe('denied');
  });

  it('gives an action without a resource the caller account as aws:ResourceAccount', async () => {
    const token: AccessRow = {
      who: '{app:Role.Arn}',
      action: 'ecr:GetAuthorizationToken',
      resource: '*',
      via: 'ecr.api',
      why: 'test',
      frameworks: [],
    };
    expect((await evaluator.check(token, 'allow')).outcome).toBe('allowed');
  });
});
