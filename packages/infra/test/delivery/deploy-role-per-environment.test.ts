import { readFileSync } from 'node:fs';
import { App, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_NAMES, loadEnvironmentConfig } from '../../config/index.js';
import { SharedStack } from '../../lib/stacks/shared-stack.js';
import { decide, statementsOf } from '../support/policy-evaluator.js';
import { resolveIntrinsics } from '../support/resolve-intrinsics.js';

const CDK_JSON = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
};

function sharedTemplate(name: string): Template {
  const config = loadEnvironmentConfig(name);
  // The shared stack is built with the app's own feature flags (cdk.json), as `npm run synth` builds it.
  const app = new App({ context: CDK_JSON.context });
  const stage = new Stage(app, config.name, {
    env: { account: config.account, region: config.region },
  });
  return Template.fromStack(new SharedStack(stage, { config }));
}

describe('GitHub deploy role in each environment', () => {
  it.each(ENVIRONMENT_NAMES)(
    '%s: trusts only its own GitHub environment of the configured repository',
    (name) => {
      const config = loadEnvironmentConfig(name);

      const roles = Object.values(
        sharedTemplate(name).findResources('AWS::IAM::Role', {
          Properties: { RoleName: `citadel-${name}-github-deploy` },
        }),
      );

      expect(roles).toHaveLength(1);
      const trust = JSON.stringify(roles[0]);
      expect(trust).toContain(
        `"token.actions.githubusercontent.com:sub":"repo:${config.github.repository}:environment:${name}"`,
      );
      expect(trust).toContain('"MaxSessionDuration":3600');
    },
  );

  it.each(ENVIRONMENT_NAMES)(
    '%s: creates the OIDC provider only when the config names no existing one',
    (name) => {
      const config = loadEnvironmentConfig(name);

      sharedTemplate(name).resourceCountIs('AWS::IAM::OIDCProvider', config.github.oidcProviderArn ? 0 : 1);
    },
  );
});

describe("the bootstrap roles each environment's deploy role may assume", () => {
  /** The role's policy statements as deployed in the environment's account and region. */
  function deployRoleStatements(name: string) {
    const config = loadEnvironmentConfig(name);
    return Object.values(sharedTemplate(name).findResources('AWS::IAM::ManagedPolicy'))
      .map((policy) =>
        resolveIntrinsics(policy.Properties.PolicyDocument, {
          account: config.account,
          region: config.region,
        }),
      )
      .flatMap(statementsOf);
  }
  function mayAssumeBootstrapRole(name: string, kind: string, region: string): string {
    const { account } = loadEnvironmentConfig(name);
    return decide(deployRoleStatements(name), {
      principal: `arn:aws:sts::${account}:assumed-role/citadel-${name}-github-deploy/deploy-${name}-1`,
      action: 'sts:AssumeRole',
      resource: `arn:aws:iam::${account}:role/cdk-hnb659fds-${kind}-role-${account}-${region}`,
    });
  }
  const KINDS = ['deploy', 'file-publishing', 'image-publishing', 'lookup'];
  const withRecovery = ENVIRONMENT_NAMES.filter((name) => loadEnvironmentConfig(name).recovery);
  const otherRegions = ['us-east-1', 'eu-west-1', 'eu-central-1', 'eu-west-2'];

  it('covers the environments the workflow deploys with a recovery region, and one without', () => {
    expect(withRecovery).toEqual(expect.arrayContaining(['qa', 'prod']));
    expect(loadEnvironmentConfig('dev').recovery).toBeUndefined();
  });

  it.each(withRecovery)(
    '%s: may assume every bootstrap role of its primary and recovery regions, and none of a third',
    (name) => {
      const config = loadEnvironmentConfig(name);
      const own = [config.region, config.recovery!.region];

      for (const kind of KINDS) {
        for (const region of own) expect(mayAssumeBootstrapRole(name, kind, region)).toBe('Allowed');
        for (const region of otherRegions.filter((r) => !own.includes(r)))
          expect(mayAssumeBootstrapRole(name, kind, region)).toBe('ImplicitlyDenied');
      }
    },
  );

  it.each(ENVIRONMENT_NAMES.filter((name) => !loadEnvironmentConfig(name).recovery))(
    '%s (no recovery region): may assume the bootstrap roles of its own region only',
    (name) => {
      const config = loadEnvironmentConfig(name);

      for (const kind of KINDS) {
        expect(mayAssumeBootstrapRole(name, kind, config.region)).toBe('Allowed');
        for (const region of otherRegions.filter((r) => r !== config.region))
          expect(mayAssumeBootstrapRole(name, kind, region)).toBe('ImplicitlyDenied');
      }
    },
  );
});
