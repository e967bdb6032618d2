/** ARNs in the shape Amazon ECS uses, for an account that does not exist. */
export const SERVICE_ARN = 'arn:aws:ecs:eu-west-1:111111111111:service/citadel-prod/api';
export const TARGET_REVISION_ARN =
  'arn:aws:ecs:eu-west-1:111111111111:service-revision/citadel-prod/api/4821739011';
export const CURRENT_REVISION_ARN =
  'arn:aws:ecs:eu-west-1:111111111111:service-revision/citadel-prod/api/4821739010';
export const DEPLOYMENT_ARN =
  'arn:aws:ecs:eu-west-1:111111111111:service-deployment/citadel-prod/api/Qx7mJ2ab9Lk3nP0';

/**
 * A lifecycle hook event as ECS sends it at POST_TEST_TRAFFIC_SHIFT (executionId,
 * lifecycleStage, resourceArn, executionDetails, and the hook's configured `hookDetails` at
 * the top level, as the ECS developer guide's "Lambda hooks for Amazon ECS service
 * deployments" shows); `overrides` replace top-level members.
 */
export function lifecycleEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    executionId: 'a1b2c3d4-5678-90ab-cdef-111111111111',
    lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT',
    resourceArn: DEPLOYMENT_ARN,
    executionDetails: {
      serviceArn: SERVICE_ARN,
      targetServiceRevisionArn: TARGET_REVISION_ARN,
      testTrafficWeights: { [TARGET_REVISION_ARN]: 100, [CURRENT_REVISION_ARN]: 0 },
      productionTrafficWeights: { [CURRENT_REVISION_ARN]: 100, [TARGET_REVISION_ARN]: 0 },
    },
    hookDetails: { check: 'api' },
    ...overrides,
  };
}

/** The event with `executionDetails` members replaced. */
export function withDetails(details: Record<string, unknown>): Record<string, unknown> {
  const event = lifecycleEvent();
  return { ...event, executionDetails: { ...(event.executionDetails as object), ...details } };
}

export const TEAM_SERVICE_ARN = 'arn:aws:ecs:eu-west-1:111111111111:service/citadel-prod/orders-api';
const TEAM_TARGET_REVISION_ARN =
  'arn:aws:ecs:eu-west-1:111111111111:service-revision/citadel-prod/orders-api/7310022418';
const TEAM_CURRENT_REVISION_ARN =
  'arn:aws:ecs:eu-west-1:111111111111:service-revision/citadel-prod/orders-api/7310022417';

/** The event of a team service's hook: its own service and revisions, readiness at its health path. */
export function teamServiceEvent(hookDetails: Record<string, unknown>): Record<string, unknown> {
  return lifecycleEvent({
    resourceArn:
      'arn:aws:ecs:eu-west-1:111111111111:service-deployment/citadel-prod/orders-api/Rt5nK8cd2Mw4qZ1',
    executionDetails: {
      serviceArn: TEAM_SERVICE_ARN,
      targetServiceRevisionArn: TEAM_TARGET_REVISION_ARN,
      testTrafficWeights: { [TEAM_TARGET_REVISION_ARN]: 100, [TEAM_CURRENT_REVISION_ARN]: 0 },
      productionTrafficWeights: { [TEAM_CURRENT_REVISION_ARN]: 100, [TEAM_TARGET_REVISION_ARN]: 0 },
    },
    hookDetails,
  });
}
