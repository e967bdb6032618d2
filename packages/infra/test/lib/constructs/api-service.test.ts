import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ApiService, type ApiServiceProps } from '../../../lib/constructs/api-service.js';
import { apiServiceProps, workloadFixture } from '../../support/workload-fixture.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

function build(overrides: Partial<ApiServiceProps> = {}) {
  const fixture = workloadFixture();
  const service = new ApiService(
    fixture.stack,
    'Api',
    apiServiceProps(fixture, { minTasks: 2, maxTasks: 4, ...overrides }),
  );
  return { ...fixture, service };
}

describe('ApiService', () => {
  it('pins the identity provider keys in the task environment instead of a URL when given', () => {
    // Prepare
    const jwks = '{"keys":[{"kty":"EC","kid":"idp-1","crv":"P-256","x":"x","y":"y"}]}';

    // Act
    const { stack } = build({ auth: { jwks, issuer: 'https://idp.example.com/', audience: 'citadel' } });

    // Assess
    const [definition] = Object.values(Template.fromStack(stack).findResources('AWS::ECS::TaskDefinition'));
    const environment = (definition?.Properties.ContainerDefinitions[0].Environment ?? []) as Array<{
      Name: string;
      Value: unknown;
    }>;
    expect(environment).toContainEqual({ Name: 'AUTH_JWKS', Value: jwks });
    expect(environment.map((variable) => variable.Name)).not.toContain('AUTH_JWKS_URL');
  });

  it.each([
    ['both', { jwks: '{"keys":[{"kty":"EC"}]}', jwksUrl: 'https://idp.example.com/jwks.json' }],
    ['neither', {}],
    ['a key set that is not JSON', { jwks: 'keys' }],
  ])('fails when the auth keys are %s', (_case, keys) => {
    expect(() =>
      build({ auth: { issuer: 'https://idp.example.com/', audience: 'citadel', ...keys } }),
    ).toThrow(/auth\.jwks/);
  });

  it('pulls an image pinned by digest with @sha256', () => {
    // Act
    const { stack } = build({ imageTag: DIGEST });

    // Assess
    const image = JSON.stringify(Template.fromStack(stack).toJSON().Resources);
    expect(image).toContain(`@${DIGEST}`);
  });

  it('creates its own security group open only to the load balancer when none is given', () => {
    // Act
    const { stack } = build();

    // Assess
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 8080,
      ToPort: 8080,
      SourceSecurityGroupId: {
        'Fn::GetAtt': [Match.stringLikeRegexp('^EdgeSecurityGroup'), 'GroupId'],
      },
    });
  });

  it.each(['latest', 'has space', '', `sha256:${'z'.repeat(64)}`])(
    'fails when imageTag is %j',
    (imageTag) => {
      expect(() => build({ imageTag })).toThrow(/Fixture\/Api: imageTag = .*; pass an immutable release tag/);
    },
  );

  it('leaves the running task count to autoscaling, which starts at least minTasks tasks', () => {
    // Act
    const { stack } = build({ minTasks: 3, maxTasks: 6 });

    // Assess
    const template = Template.fromStack(stack);
    const [[serviceId, service] = []] = Object.entries(template.findResources('AWS::ECS::Service'));
    // A DesiredCount in the template would set a scaled-out service back on every deploy.
    expect(service?.Properties).not.toHaveProperty('DesiredCount');
    const targets = Object.values(template.findResources('AWS::ApplicationAutoScaling::ScalableTarget'));
    expect(targets).toHaveLength(1);
    expect(targets[0]?.Properties).toMatchObject({
      ScalableDimension: 'ecs:service:DesiredCount',
      MinCapacity: 3,
      MaxCapacity: 6,
    });
    expect(JSON.stringify(targets[0]?.Properties.ResourceId)).toContain(`"${serviceId}"`);
  });

  it.each([
    ['minTasks is 0', { minTasks: 0, maxTasks: 4 }, '[0,4]'],
    ['minTasks is above maxTasks', { minTasks: 5, maxTasks: 4 }, '[5,4]'],
    ['minTasks is not a whole number', { minTasks: 1.5, maxTasks: 4 }, '[1.5,4]'],
  ])('fails when %s', (_case, counts, shown) => {
    expect(() => build(counts)).toThrow(
      `Fixture/Api: minTasks/maxTasks = ${shown}; task counts must satisfy 1 <= minTasks <= maxTasks, whole numbers`,
    );
  });

  it('fails when an auth setting is empty', () => {
    expect(() =>
      build({ auth: { jwksUrl: 'https://idp.example.com/jwks.json', issuer: ' ', audience: 'citadel' } }),
    ).toThrow(/Fixture\/Api: auth.issuer = " "/);
  });
});
