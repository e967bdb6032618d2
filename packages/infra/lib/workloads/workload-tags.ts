import { Tags } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Tag naming the workload a resource belongs to; the compliance report groups resources by it. */
export const WORKLOAD_TAG = 'citadel:workload';
/** Tag naming the workload's kind: service, internal, worker, job or function. */
export const WORKLOAD_KIND_TAG = 'citadel:workload-kind';

export type WorkloadKind = 'service' | 'internal' | 'worker' | 'job' | 'function';

/** Tags every taggable resource under `scope` with the workload's name and kind. */
export function tagWorkload(scope: IConstruct, name: string, kind: WorkloadKind): void {
  Tags.of(scope).add(WORKLOAD_TAG, name);
  Tags.of(scope).add(WORKLOAD_KIND_TAG, kind);
}
