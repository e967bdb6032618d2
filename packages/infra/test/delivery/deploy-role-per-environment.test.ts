import { readFileSync } from 'node:fs';
import { App, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_NAMES, loadEnvironmentConfig } from '../../config/index.js';
import { SharedStack } from '../../lib/stacks/shared-stack.js';

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
