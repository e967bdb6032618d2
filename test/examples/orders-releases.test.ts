import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Stack, type CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCitadelApp, type CitadelApp } from '@citadel/infra';
import { loadEnvironmentsFrom, validateEnvironmentConfig } from '@citadel/infra/environments';
import type { CitadelStage } from '../../packages/infra/lib/citadel-stage.js';
import { ORDERS_APPLICATION } from '../../examples/orders/application.js';

/**
 * The orders example in a staging environment its team moved to canary releases behind the
 * pre-traffic check: the team's public service is checked by the environment's one check
 * function, for readiness at its own health path on its own host.
 */

const ENVIRONMENTS = fileURLToPath(new URL('../../examples/orders/environments/', import.meta.url));
type Json = Record<string, unknown>;

let built: CitadelApp;
let outdir: string;
let resources: Record<string, { Type: string; Properties?: Json }>;

beforeAll(async () => {
  const staging = (await loadEnvironmentsFrom(ENVIRONMENTS)).find((config) => config.name === 'staging');
  const canary = validateEnvironmentConfig({
    ...structuredClone(staging),
    deployment: {
      strategy: 'canary',
      canaryPercent: 10,
      stepMinutes: 5,
      bakeMinutes: 10,
      testPort: 9443,
      alarms: {
        error5xxPercent: 5,
        p99LatencyMs: 3000,
        unhealthyTargets: 1,
        authFailuresPerMinute: 50,
        evaluationMinutes: 2,
      },
      // A public key only, generated for this test; its private half was never kept.
      probe: {
        publicJwk: {
          kty: 'EC',
          crv: 'P-256',
          kid: 'deployment-check-staging-1',
          x: 'HvUTm6eLS1n9yCFL000eeX_8aqyntLo5txj_rPwiqtw',
          y: '8xGoYgzunvAM4canGpR55LS4X5bg21gzwKvr7EzfqEU',
        },
        privateKeySecretName: 'orders/staging/deployment-check-key',
      },
    },
  });
  outdir = mkdtempSync(join(tmpdir(), 'citadel-orders-releases-'));
  built = buildCitadelApp({ configs: [canary], application: ORDERS_APPLICATION, outdir });
  const stage = built.stages[0] as CitadelStage;
  const assembly = stage.synth();
  resources = assembly.getStackArtifact(stage.app.artifactId).template.Resources;
});

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

function logicalIdOf(construct: IConstruct): string {
  return Stack.of(construct).getLogicalId((construct.node.defaultChild ?? construct) as CfnElement);
}

describe('orders-api released as a canary in staging', () => {
  it("is checked before production traffic by the environment's one check function, for readiness at /orders/health on its own host", () => {
    // Act
    const app = (built.stages[0] as CitadelStage).app;
    const orders = app.services.find((service) => service.name === 'orders-api');
    const check = app.preTrafficCheck;
    const hooksOf = (logicalId: string) =>
      (resources[logicalId]?.Properties?.DeploymentConfiguration as { LifecycleHooks?: Json[] })
        .LifecycleHooks;

    // Assess
    expect(orders && check).toBeTruthy();
    const hook = {
      HookTargetArn: { 'Fn::GetAtt': [logicalIdOf(check!.function), 'Arn'] },
      RoleArn: { 'Fn::GetAtt': [logicalIdOf(check!.invokeRole), 'Arn'] },
      LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'],
    };
    expect(hooksOf(logicalIdOf(orders!.service))).toEqual([
      {
        ...hook,
        HookDetails: {
          check: 'readiness',
          healthPath: '/orders/health',
          host: 'shop.staging.orders.example.com',
        },
      },
    ]);
    expect(hooksOf(logicalIdOf(app.api.service))).toEqual([{ ...hook, HookDetails: { check: 'api' } }]);
    const checkFunctions = Object.values(resources).filter(
      (resource) =>
        resource.Type === 'AWS::Lambda::Function' &&
        String(resource.Properties?.Description).includes('through the test listener'),
    );
    expect(checkFunctions).toHaveLength(1);
  });

  it("reaches orders-api's new revision through the test listener by the same host and path rule as production", () => {
    // Act
    const app = (built.stages[0] as CitadelStage).app;
    const orders = app.services.find((service) => service.name === 'orders-api');
    const advanced = (
      resources[logicalIdOf(orders!.service)]?.Properties?.LoadBalancers as {
        AdvancedConfiguration: Record<string, { Ref: string }>;
      }[]
    )[0]?.AdvancedConfiguration;
    const production = resources[advanced?.ProductionListenerRule?.Ref ?? '']?.Properties;
    const test = resources[advanced?.TestListenerRule?.Ref ?? '']?.Properties;

    // Assess
    expect(test?.ListenerArn).toEqual({ Ref: logicalIdOf(app.edge.testListener!) });
    expect(test?.Conditions).toEqual(production?.Conditions);
    expect(JSON.stringify(test?.Conditions)).toContain('shop.staging.orders.example.com');
    expect(resources[logicalIdOf(app.edge.testListener!)]?.Properties).toMatchObject({ Port: 9443 });
  });

  it("serves the service host's certificate on the test listener too, so the check's TLS handshake for shop.<zone> succeeds", () => {
    // Act
    const app = (built.stages[0] as CitadelStage).app;
    const certificatesOn = (listener: IConstruct) =>
      Object.values(resources)
        .filter(
          (resource) =>
            resource.Type === 'AWS::ElasticLoadBalancingV2::ListenerCertificate' &&
            JSON.stringify(resource.Properties?.ListenerArn) ===
              JSON.stringify({ Ref: logicalIdOf(listener) }),
        )
        .flatMap((resource) => resource.Properties?.Certificates as unknown[]);
    const hostsCertificate = { Ref: logicalIdOf(app.serviceHostnames!.certificate as unknown as IConstruct) };

    // Assess
    expect(certificatesOn(app.edge.httpsListener)).toEqual([{ CertificateArn: hostsCertificate }]);
    expect(certificatesOn(app.edge.testListener!)).toEqual([{ CertificateArn: hostsCertificate }]);
  });
});
