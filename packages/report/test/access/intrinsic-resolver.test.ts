import { describe, expect, it } from 'vitest';
import { IntrinsicResolutionError, IntrinsicResolver } from '../../src/access/index.js';
import { fixtureStack, fixtureStage } from './fixture-stage.js';

const network = fixtureStack(
  'network',
  {
    MessagesKey1234ABCD: { Type: 'AWS::KMS::Key', Properties: {} },
    Endpoint5678ABCD: { Type: 'AWS::EC2::VPCEndpoint', Properties: {} },
  },
  {
    PublishKeyArn: { Value: { 'Fn::GetAtt': ['MessagesKey1234ABCD', 'Arn'] } },
    Exported: {
      Value: { Ref: 'MessagesKey1234ABCD' },
      Export: { Name: { 'Fn::Sub': '${AWS::StackName}-key' } },
    },
  },
);
const app = fixtureStack('app', {
  Queue1111AAAA: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'payments' } },
  Bucket2222BBBB: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'citadel-test-evidence' } },
  UnnamedBucket3333CCCC: { Type: 'AWS::S3::Bucket', Properties: {} },
  Role4444DDDD: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'api-task' } },
  Strange5555EEEE: { Type: 'AWS::Foo::Bar', Properties: {} },
  Cluster6666FFFF: { Type: 'AWS::ECS::Cluster', Properties: { ClusterName: 'citadel-test' } },
  Task7777AAAA: { Type: 'AWS::ECS::TaskDefinition', Properties: { Family: 'citadel-test-retention' } },
});
const resolver = new IntrinsicResolver(fixtureStage(network, app));
const inApp = (value: unknown) => resolver.resolve(value, app, 'PolicyUnderTest');

describe('IntrinsicResolver', () => {
  it.each([
    [
      'Ref of a queue to its URL',
      { Ref: 'Queue1111AAAA' },
      'https://sqs.eu-west-1.amazonaws.com/111111111111/payments',
    ],
    [
      'GetAtt Arn of a queue',
      { 'Fn::GetAtt': ['Queue1111AAAA', 'Arn'] },
      'arn:aws:sqs:eu-west-1:111111111111:payments',
    ],
    ['Ref of a named bucket to its name', { Ref: 'Bucket2222BBBB' }, 'citadel-test-evidence'],
    [
      'GetAtt Arn of a bucket',
      { 'Fn::GetAtt': ['Bucket2222BBBB', 'Arn'] },
      'arn:aws:s3:::citadel-test-evidence',
    ],
    ['GetAtt Arn of a role', { 'Fn::GetAtt': 'Role4444DDDD.Arn' }, 'arn:aws:iam::111111111111:role/api-task'],
    [
      'pseudo parameters',
      {
        'Fn::Join': [
          ':',
          [
            { Ref: 'AWS::Partition' },
            { Ref: 'AWS::Region' },
            { Ref: 'AWS::AccountId' },
            { Ref: 'AWS::URLSuffix' },
          ],
        ],
      },
      'aws:eu-west-1:111111111111:amazonaws.com',
    ],
    [
      'Fn::Sub with pseudo parameters and attributes',
      { 'Fn::Sub': 'arn:${AWS::Partition}:x:${AWS::Region}:${Role4444DDDD.Arn}' },
      'arn:aws:x:eu-west-1:arn:aws:iam::111111111111:role/api-task',
    ],
    [
      'Fn::Sub with a variable map',
      { 'Fn::Sub': ['${Name}/*', { Name: { Ref: 'Bucket2222BBBB' } }] },
      'citadel-test-evidence/*',
    ],
    ['Ref of a named ECS cluster to its name', { Ref: 'Cluster6666FFFF' }, 'citadel-test'],
    [
      'GetAtt Arn of an ECS cluster',
      { 'Fn::GetAtt': ['Cluster6666FFFF', 'Arn'] },
      'arn:aws:ecs:eu-west-1:111111111111:cluster/citadel-test',
    ],
    [
      'Ref of an ECS task definition to its ARN, at its first revision',
      { Ref: 'Task7777AAAA' },
      'arn:aws:ecs:eu-west-1:111111111111:task-definition/citadel-test-retention:1',
    ],
    ['Fn::Select of Fn::Split', { 'Fn::Select': [1, { 'Fn::Split': ['/', 'a/b/c'] }] }, 'b'],
  ])('resolves %s', (_name, value, expected) => {
    // Prepare / Act
    const resolved = inApp(value);
    // Assess
    expect(resolved).toBe(expected);
  });

  it('gives a KMS key a stable key id shared by Ref and Arn', () => {
    const arn = resolver.resolve({ 'Fn::GetAtt': ['MessagesKey1234ABCD', 'Arn'] }, network, 'x') as string;
    const id = resolver.resolve({ Ref: 'MessagesKey1234ABCD' }, network, 'x') as string;
    expect(arn).toBe(`arn:aws:kms:eu-west-1:111111111111:key/${id}`);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('names an unnamed bucket deterministically in lower case', () => {
    const first = inApp({ Ref: 'UnnamedBucket3333CCCC' }) as string;
    expect(first).toBe(inApp({ Ref: 'UnnamedBucket3333CCCC' }));
    expect(first).toMatch(/^[a-z0-9-]{3,63}$/);
  });

  it('follows Fn::GetStackOutput into the producing stack', () => {
    const value = inApp({
      'Fn::GetStackOutput': {
        StackName: 'citadel-test-network',
        Region: 'eu-west-1',
        OutputName: 'PublishKeyArn',
      },
    });
    expect(value).toBe(resolver.resolve({ 'Fn::GetAtt': ['MessagesKey1234ABCD', 'Arn'] }, network, 'x'));
  });

  it('follows Fn::ImportValue to the stack that exports the name', () => {
    const value = inApp({ 'Fn::ImportValue': 'citadel-test-network-key' });
    expect(value).toBe(resolver.resolve({ Ref: 'MessagesKey1234ABCD' }, network, 'x'));
  });

  it.each([
    ['an unsupported intrinsic', { 'Fn::If': ['IsProd', 'a', 'b'] }, 'Fn::If'],
    ['a condition reference', { Condition: 'IsProd' }, 'Condition'],
    ['Fn::Base64 nested in a join', { 'Fn::Join': ['', ['a', { 'Fn::Base64': 'b' }]] }, 'Fn::Base64'],
    ['Ref of a resource the stack lacks', { Ref: 'Missing' }, 'no resource Missing'],
    ['Ref of a resource type without a known format', { Ref: 'Strange5555EEEE' }, 'AWS::Foo::Bar'],
    [
      'GetAtt of an unknown attribute',
      { 'Fn::GetAtt': ['Queue1111AAAA', 'Secret'] },
      'AWS::SQS::Queue.Secret',
    ],
    ['Ref of AWS::NoValue', { Ref: 'AWS::NoValue' }, 'no resource AWS::NoValue'],
    ['Fn::Select out of range', { 'Fn::Select': [5, ['a']] }, 'out of range'],
    ['Fn::Select with a negative index', { 'Fn::Select': [-1, ['a']] }, 'out of range'],
    ['Fn::Split with an empty delimiter', { 'Fn::Split': ['', 'abc'] }, 'non-empty delimiter'],
    ['Fn::Join of a non-list', { 'Fn::Join': ['', 'abc'] }, 'expected [delimiter'],
    ['Fn::Join of an object', { 'Fn::Join': ['', [{ a: 1 }]] }, 'expected a string'],
    [
      'an output of a stack outside the stage',
      { 'Fn::GetStackOutput': { StackName: 'other', OutputName: 'X' } },
      'no stack named other',
    ],
    [
      'an output of another region',
      {
        'Fn::GetStackOutput': {
          StackName: 'citadel-test-network',
          Region: 'us-east-1',
          OutputName: 'PublishKeyArn',
        },
      },
      'another region',
    ],
    [
      'an output the producer lacks',
      { 'Fn::GetStackOutput': { StackName: 'citadel-test-network', OutputName: 'Nope' } },
      'no output Nope',
    ],
    ['an import nobody exports', { 'Fn::ImportValue': 'nobody' }, 'exports nobody'],
  ])('fails on %s, naming stack, logical id and intrinsic', (_name, value, reason) => {
    // Prepare / Act
    const act = () => inApp(value);
    // Assess
    expect(act).toThrow(IntrinsicResolutionError);
    expect(act).toThrow(/^citadel-test-app\/\w+: cannot resolve /);
    expect(act).toThrow(reason);
  });

  it('never widens an unresolved value into a wildcard', () => {
    let resolved: unknown;
    try {
      resolved = inApp({ 'Fn::Join': ['', ['arn:aws:s3:::', { 'Fn::If': ['C', 'a', 'b'] }]] });
    } catch {
      resolved = undefined;
    }
    expect(resolved).toBeUndefined();
  });
});
