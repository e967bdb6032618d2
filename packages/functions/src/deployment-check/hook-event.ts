/**
 * What a hook asks the check to do, from the `hookDetails` the service's lifecycle hook
 * configures (ECS passes them on every invocation, as the event's top-level `hookDetails`):
 * the API's check (readiness, then an authenticated read), or the readiness of a team's
 * service at its own health path, on its own host when it is routed by host.
 */
export type CheckTarget =
  | { readonly check: 'api' }
  | { readonly check: 'readiness'; readonly healthPath: string; readonly host?: string };

/**
 * The event Amazon ECS sends a deployment lifecycle hook, and the answer it expects. ECS
 * rolls the deployment back on FAILED and calls again after `callBackDelay` seconds on
 * IN_PROGRESS.
 */
export interface LifecycleHookEvent {
  readonly executionId: string;
  readonly lifecycleStage: CheckedStage;
  /** The service deployment's ARN. */
  readonly resourceArn: string;
  readonly executionDetails: {
    readonly serviceArn: string;
    readonly targetServiceRevisionArn: string;
    /** Service revision ARN → percent of test traffic; empty in some stages. */
    readonly testTrafficWeights: Readonly<Record<string, number>>;
    readonly productionTrafficWeights: Readonly<Record<string, number>>;
  };
  /** The hook's configured details; a hook without them is refused. */
  readonly hookDetails: CheckTarget;
}

export type HookStatus = 'SUCCEEDED' | 'FAILED' | 'IN_PROGRESS';

export interface LifecycleHookResponse {
  readonly hookStatus: HookStatus;
  /** Seconds until ECS calls again; only with IN_PROGRESS. */
  readonly callBackDelay?: number;
}

/**
 * Stages at which the test listener reaches the new revision and production has not moved
 * yet: the check runs at these and refuses any other.
 */
export const CHECKED_STAGES = ['POST_TEST_TRAFFIC_SHIFT', 'PRE_PRODUCTION_TRAFFIC_SHIFT'] as const;
export type CheckedStage = (typeof CHECKED_STAGES)[number];

/** Revisions a weight map may name; a deployment has two, a rollback a few more. */
const MAX_WEIGHTS = 16;
const SHOWN_LENGTH = 120;
const EXECUTION_ID = /^[\x21-\x7e]{1,256}$/;
const ECS_ARN = (resource: string) =>
  new RegExp(`^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\\d{12}:${resource}/[A-Za-z0-9_/.:-]{1,1024}$`);
const SERVICE_ARN = ECS_ARN('service');
const REVISION_ARN = ECS_ARN('service-revision');
const DEPLOYMENT_ARN = ECS_ARN('service-deployment');
/** '/' or a path of unreserved characters, no empty segment or one starting with '.', no query. */
const HEALTH_PATH = /^(\/|(\/[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,62}){1,8})$/;
const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const DETAIL_MEMBERS: Readonly<Record<CheckTarget['check'], readonly string[]>> = {
  api: ['check'],
  readiness: ['check', 'healthPath', 'host'],
};

export type ParsedHookEvent =
  | { readonly ok: true; readonly event: LifecycleHookEvent }
  | { readonly ok: false; readonly problem: string };

/**
 * Checks a lifecycle hook event as hostile input: own members only, each of the expected
 * type and shape, weights as maps of revision ARNs to 0–100, a stage the check runs at, and
 * the test traffic (when ECS reports it) on the target revision. The problem names the
 * member and shows at most {@link SHOWN_LENGTH} characters of its value.
 */
export function parseLifecycleHookEvent(input: unknown): ParsedHookEvent {
  try {
    return { ok: true, event: checkEvent(input) };
  } catch (error) {
    if (error instanceof EventProblem) return { ok: false, problem: error.message };
    throw error;
  }
}

class EventProblem extends Error {
  override readonly name = 'EventProblem';
}

function checkEvent(input: unknown): LifecycleHookEvent {
  const event = record(input, 'the event');
  const lifecycleStage = member(event, 'lifecycleStage', 'the event');
  if (typeof lifecycleStage !== 'string' || !(CHECKED_STAGES as readonly string[]).includes(lifecycleStage)) {
    throw new EventProblem(
      `lifecycleStage ${shown(lifecycleStage)} is not a stage the check runs at; attach the hook to ${CHECKED_STAGES.join(' or ')}`,
    );
  }
  const executionId = matching(event, 'executionId', EXECUTION_ID, 'an execution id', 'the event');
  const resourceArn = matching(
    event,
    'resourceArn',
    DEPLOYMENT_ARN,
    'an ECS service deployment ARN',
    'the event',
  );
  const details = record(member(event, 'executionDetails', 'the event'), 'executionDetails');
  const where = 'executionDetails';
  const serviceArn = matching(details, 'serviceArn', SERVICE_ARN, 'an ECS service ARN', where);
  const targetServiceRevisionArn = matching(
    details,
    'targetServiceRevisionArn',
    REVISION_ARN,
    'an ECS service revision ARN',
    where,
  );
  const testTrafficWeights = weights(details, 'testTrafficWeights');
  const productionTrafficWeights = weights(details, 'productionTrafficWeights');
  const testWeight = testTrafficWeights[targetServiceRevisionArn];
  if (Object.keys(testTrafficWeights).length > 0 && testWeight !== 100) {
    throw new EventProblem(
      `executionDetails.testTrafficWeights gives the target revision ${testWeight ?? 0}% of test traffic, not 100%; the test listener would not reach it`,
    );
  }
  return {
    executionId,
    lifecycleStage: lifecycleStage as CheckedStage,
    resourceArn,
    executionDetails: { serviceArn, targetServiceRevisionArn, testTrafficWeights, productionTrafficWeights },
    hookDetails: checkTarget(member(event, 'hookDetails', 'the event')),
  };
}

/**
 * The hook's details: `{check: 'api'}` or `{check: 'readiness', healthPath, host?}`, no other
 * member. A hook without them fails rather than guessing which check it meant.
 */
function checkTarget(value: unknown): CheckTarget {
  const details = record(value, 'hookDetails');
  const check = member(details, 'check', 'hookDetails');
  if (check !== 'api' && check !== 'readiness') {
    throw new EventProblem(
      `hookDetails.check ${shown(check)} is not a check; configure the hook with 'api' or 'readiness'`,
    );
  }
  const unknown = Object.keys(details).filter((name) => !DETAIL_MEMBERS[check].includes(name));
  if (unknown.length > 0) {
    throw new EventProblem(
      `hookDetails has ${shown(unknown[0])}, which the '${check}' check does not take; give only ${DETAIL_MEMBERS[check].join(', ')}`,
    );
  }
  if (check === 'api') return { check };
  const healthPath = matching(
    details,
    'healthPath',
    HEALTH_PATH,
    'a health path such as /orders/health',
    'hookDetails',
  );
  if (!Object.hasOwn(details, 'host')) return { check, healthPath };
  const host = matching(details, 'host', HOST_NAME, 'a lower-case DNS host name', 'hookDetails');
  return { check, healthPath, host };
}

function record(value: unknown, what: string): Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new EventProblem(`${what} is not an object`);
  }
  return value as Record<string, unknown>;
}

/** An own member only: a key inherited from a polluted prototype is never read. */
function member(object: Readonly<Record<string, unknown>>, name: string, where: string): unknown {
  if (!Object.hasOwn(object, name)) throw new EventProblem(`${where} has no ${name}`);
  return object[name];
}

function matching(
  object: Readonly<Record<string, unknown>>,
  name: string,
  pattern: RegExp,
  what: string,
  where: string,
): string {
  const value = member(object, name, where);
  if (typeof value !== 'string' || !pattern.test(value)) {
    const path = where === 'the event' ? name : `${where}.${name}`;
    throw new EventProblem(`${path} ${shown(value)} is not ${what}`);
  }
  return value;
}

function weights(details: Readonly<Record<string, unknown>>, name: string): Readonly<Record<string, number>> {
  const path = `executionDetails.${name}`;
  const map = record(member(details, name, 'executionDetails'), path);
  const entries = Object.entries(map);
  if (entries.length > MAX_WEIGHTS) {
    throw new EventProblem(`${path} names ${entries.length} revisions; at most ${MAX_WEIGHTS} are accepted`);
  }
  const checked: Record<string, number> = Object.create(null) as Record<string, number>;
  for (const [revision, weight] of entries) {
    if (!REVISION_ARN.test(revision)) {
      throw new EventProblem(
        `${path} has the key ${shown(revision)}, which is not an ECS service revision ARN`,
      );
    }
    if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0 || weight > 100) {
      throw new EventProblem(
        `${path} gives ${shown(weight)} for a revision; a weight is an integer from 0 to 100`,
      );
    }
    checked[revision] = weight;
  }
  return checked;
}

function shown(value: unknown): string {
  // Objects are named, not serialized: a hostile event may nest them deeply.
  let text: string;
  if (typeof value === 'string') text = `'${value}'`;
  else if (value === null || ['number', 'boolean', 'undefined'].includes(typeof value)) text = String(value);
  else text = Array.isArray(value) ? 'an array' : `a value of type ${typeof value}`;
  const cut = text.length > SHOWN_LENGTH ? `${text.slice(0, SHOWN_LENGTH)}…` : text;
  return cut.replace(/[\p{Cc}\p{Cf}]/gu, (c) => `\\u{${c.codePointAt(0)?.toString(16)}}`);
}
