import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { InvalidPropError } from '../invalid-prop-error.js';

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
  /** Days since a drill last passed, emitted by the daily check (RestoreTesting.daysSinceSuccessMetric). */
  readonly daysSinceSuccessMetric: IMetric;
  /** The drill schedule's interval in days: no passing drill for one day more than this is a breach. */
  readonly everyDays: number;
}

/**
 * Alarms of the restore drills on the operations topic: a drill that failed validation, a
 * restore slower than the RTO, a validation function that failed before reporting, and no
 * drill that passed for longer than the schedule allows (everyDays + 1 days).
 *
 * The last cannot watch the drill metrics themselves: CloudWatch evaluates at most seven
 * days (period × evaluation periods ≤ 604,800 s), and drills run up to a month apart. The
 * function's daily check turns the gap into a value (DaysSinceSuccessfulDrill), and the
 * alarm reads one day of it; a day without the check is missing data and breaches too.
 */
export class RestoreDrillAlarms extends Construct {
  readonly failed: Alarm;
  readonly slowerThanRto: Alarm;
  readonly validatorFailed: Alarm;
  readonly noRecentSuccess: Alarm;

  constructor(scope: Construct, id: string, props: RestoreDrillAlarmsProps) {
    super(scope, id);
    const action = new SnsAction(props.topic);
    const alarm = (
      alarmId: string,
      metric: IMetric,
      threshold: number,
      description: string,
      treatMissingData = TreatMissingData.NOT_BREACHING,
    ) => {
      const created = new Alarm(this, alarmId, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData,
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
    const allowedDays = props.everyDays + 1;
    if (!Number.isInteger(props.everyDays) || props.everyDays < 1 || props.everyDays > 31) {
      throw new InvalidPropError(
        this.node.path,
        'everyDays',
        props.everyDays,
        'expected a whole number from 1 to 31',
      );
    }
    const periodSeconds = props.daysSinceSuccessMetric.toMetricConfig().metricStat?.period.toSeconds();
    if (periodSeconds !== Duration.days(1).toSeconds()) {
      throw new InvalidPropError(
        this.node.path,
        'daysSinceSuccessMetric.period',
        periodSeconds,
        'give the metric a period of one day (86400 s): the daily check emits one value a day',
      );
    }
    this.noRecentSuccess = alarm(
      'NoRecentSuccess',
      props.daysSinceSuccessMetric,
      allowedDays,
      `No restore drill has passed validation for more than ${allowedDays} days (drills run every ${props.everyDays}). ` +
        'Check the restore testing plan, its latest restore job and the restore-validation logs; a missing daily check also raises this alarm.',
      TreatMissingData.BREACHING,
    );
  }
}
