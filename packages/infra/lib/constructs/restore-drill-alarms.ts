import { Alarm, ComparisonOperator, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

export interface RestoreDrillAlarmsProps {
  readonly topic: ITopic;
  /** 1 for a drill whose validation failed (RestoreTesting.failedMetric). */
  readonly failedMetric: IMetric;
  /** Restore duration per drill in minutes (RestoreTesting.restoreMinutesMetric). */
  readonly restoreMinutesMetric: IMetric;
  /** Errors of the validation function: an invocation that failed reports nothing to AWS Backup. */
  readonly validatorErrors: IMetric;
  /** The environment's recovery time objective, in minutes. */
  readonly rtoMinutes: number;
}

/**
 * Alarms of the restore drills on the operations topic: a drill that failed validation, a
 * restore slower than the RTO, and a validation function that failed before reporting.
 * A day without a drill is not a breach.
 */
export class RestoreDrillAlarms extends Construct {
  readonly failed: Alarm;
  readonly slowerThanRto: Alarm;
  readonly validatorFailed: Alarm;

  constructor(scope: Construct, id: string, props: RestoreDrillAlarmsProps) {
    super(scope, id);
    const action = new SnsAction(props.topic);
    const alarm = (alarmId: string, metric: IMetric, threshold: number, description: string) => {
      const created = new Alarm(this, alarmId, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      created.addAlarmAction(action);
      created.addOkAction(action);
      return created;
    };
    this.failed = alarm(
      'Failed',
      props.failedMetric,
      0,
      'A restore drill failed validation: the restored database copy was unreachable, behind on migrations or missing data. See the restore-validation log record (evidence "restore-drill").',
    );
    this.slowerThanRto = alarm(
      'SlowerThanRto',
      props.restoreMinutesMetric,
      props.rtoMinutes,
      `A restore drill took longer than the recovery time objective of ${props.rtoMinutes} minutes.`,
    );
    this.validatorFailed = alarm(
      'ValidatorFailed',
      props.validatorErrors,
      0,
      'The restore validation function failed before reporting; AWS Backup will mark the drill TIMED_OUT.',
    );
  }
}
