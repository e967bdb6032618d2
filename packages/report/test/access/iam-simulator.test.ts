import { runSimulation } from '@cloud-copilot/iam-simulate';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/access/index.js';

const ACCOUNT = '111111111111';
const KEY = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/00000000-1111-2222-3333-444444444444`;
const LOG_GROUP = `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/citadel/api`;
const KEY_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
      Action: 'kms:GenerateDataKey*',
      Resource: '*',
      Condition: { ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': LOG_GROUP } },
    },
  ],
};
const logsRequest = (context: Record<string, string>) => ({
  principal: 'logs.eu-west-1.amazonaws.com',
  action: 'kms:GenerateDataKey',
  resource: KEY,
  resourceAccount: ACCOUNT,
  context,
  identityPolicies: [],
  resourcePolicy: KEY_POLICY,
});

describe('simulate', () => {
  it('evaluates a kms:EncryptionContext condition: allowed with the right context', async () => {
    // Prepare / Act
    const decision = await simulate(logsRequest({ 'kms:EncryptionContext:aws:logs:arn': LOG_GROUP }));
    // Assess
    expect(decision).toBe('Allowed');
  });

  it('evaluates a kms:EncryptionContext condition: denied with another log group in the context', async () => {
    const decision = await simulate(
      logsRequest({ 'kms:EncryptionContext:aws:logs:arn': `${LOG_GROUP}-other` }),
    );
    expect(decision).toBe('ImplicitlyDenied');
  });

  it('evaluates a kms:EncryptionContext condition: denied without an encryption context', async () => {
    expect(await simulate(logsRequest({}))).toBe('ImplicitlyDenied');
  });

  it('is needed because the validated runSimulation drops kms:EncryptionContext keys', async () => {
    // Prepare
    const request = logsRequest({ 'kms:EncryptionContext:aws:logs:arn': LOG_GROUP });
    // Act
    const result = await runSimulation(
      {
        request: {
          principal: request.principal,
          action: request.action,
          resource: { resource: KEY, accountId: ACCOUNT },
          contextVariables: request.context,
        },
        identityPolicies: [],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: KEY_POLICY,
      },
      {},
    );
    // Assess: the right context is ignored, so the request reads as if it had none
    expect(result.resultType).toBe('single');
    if (result.resultType !== 'single') return;
    expect(result.result.ignoredContextKeys).toContain('kms:EncryptionContext:aws:logs:arn');
    expect(result.overallResult).toBe('ImplicitlyDenied');
  });

  it('applies a VPC endpoint policy on top of identity and resource policies', async () => {
    // Prepare
    const role = `arn:aws:iam::${ACCOUNT}:role/api`;
    const queue = `arn:aws:sqs:eu-west-1:${ACCOUNT}:payments`;
    const base = {
      principal: role,
      action: 'sqs:SendMessage',
      resource: queue,
      resourceAccount: ACCOUNT,
      context: { 'aws:PrincipalAccount': ACCOUNT },
      identityPolicies: [
        {
          name: 'api',
          policy: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: queue }],
          },
        },
      ],
    };
    const onlyOtherQueues = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: `${queue}-other` }],
    };
    // Act
    const without = await simulate(base);
    const through = await simulate({
      ...base,
      endpointPolicies: [{ name: 'sqs endpoint', policy: onlyOtherQueues }],
    });
    // Assess
    expect(without).toBe('Allowed');
    expect(through).toBe('ImplicitlyDenied');
  });

  it.each(['kms:Decryptt', 'kms', 'nosuchservice:Get', ''])(
    'fails on an action IAM does not define: "%s"',
    async (action) => {
      await expect(simulate({ ...logsRequest({}), action })).rejects.toThrow(/unknown IAM action/);
    },
  );

  it('fails when a single-valued context key receives a list', async () => {
    await expect(simulate(logsRequest({ 'aws:SourceAccount': [ACCOUNT, '2'] } as never))).rejects.toThrow(
      /takes one value/,
    );
  });
});
