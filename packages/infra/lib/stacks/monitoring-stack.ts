import { Duration } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../config/index.js';
import { AlarmTopic } from '../constructs/alarm-topic.js';
import { OperationalAlarms } from '../constructs/operational-alarms.js';
import { OperationsDashboard } from '../constructs/operations-dashboard.js';
import { RestoreDrillAlarms } from '../constructs/restore-drill-alarms.js';
import { WorkloadAlarms } from '../workloads/workload-alarms.js';
import type { AppStack } from './app-stack.js';
import { CitadelStack } from './citadel-stack.js';
import type { DataStack } from './data-stack.js';
import type { NetworkStack } from './network-stack.js';

export interface MonitoringStackProps {
  readonly config: EnvironmentConfig;
  readonly network: NetworkStack;
  readonly data: DataStack;
  readonly app: AppStack;
}

/** What watches: the alarm topic with its email subscription, the alarms and the dashboard. */
export class MonitoringStack extends CitadelStack {
  readonly alarmTopic: AlarmTopic;
  readonly alarms: OperationalAlarms;
  readonly dashboard: OperationsDashboard;
  /** Alarms of the application's own services and workers. */
  readonly workloadAlarms: WorkloadAlarms;
  /** Restore drills that failed, ran slower than the RTO, or were not validated. */
  readonly restoreDrillAlarms: RestoreDrillAlarms;

  constructor(scope: Construct, props: MonitoringStackProps) {
    super(scope, {
      config: props.config,
      layer: 'monitoring',
      description: 'alarm topic, alarms, metric filters and dashboard',
    });
    const { config, app } = props;

    this.alarmTopic = new AlarmTopic(this, 'AlarmTopic', {
      email: config.alarmEmail,
      encryptionKey: props.network.keys.messages,
    });
    this.alarms = new OperationalAlarms(this, 'Alarms', {
      topic: this.alarmTopic.topic,
      loadBalancer: app.edge.loadBalancer,
      targetGroup: app.api.targetGroup,
      service: app.api.service,
      database: props.data.database,
      processor: app.payments.processor,
      deadLetterQueue: app.payments.deadLetterQueue,
      apiLogGroup: app.api.logGroup,
      metricNamespace: `Citadel/${config.name}`,
      webAclMetricName: app.webAcl?.metricName,
      jwksMirrorErrors: app.jwksMirror?.errorMetric,
      jobs: app.jobs,
    });
    this.workloadAlarms = new WorkloadAlarms(this, 'WorkloadAlarms', {
      topic: this.alarmTopic.topic,
      services: app.services,
      workers: app.workers,
      functions: app.functions,
    });
    const { restoreTesting } = props.data;
    this.restoreDrillAlarms = new RestoreDrillAlarms(this, 'RestoreDrillAlarms', {
      topic: this.alarmTopic.topic,
      failedMetric: restoreTesting.failedMetric,
      restoreMinutesMetric: restoreTesting.restoreMinutesMetric,
      validatorErrors: restoreTesting.validator.metricErrors({ period: Duration.days(1), statistic: 'Sum' }),
      rtoMinutes: config.database.recoveryObjectives.rtoMinutes,
      daysSinceSuccessMetric: restoreTesting.daysSinceSuccessMetric,
      everyDays: config.database.restoreTesting.everyDays,
    });
    this.dashboard = new OperationsDashboard(this, 'Dashboard', {
      dashboardName: `citadel-${config.name}`,
      alarms: [
        ...this.alarms.alarms,
        this.restoreDrillAlarms.failed,
        this.restoreDrillAlarms.slowerThanRto,
        this.restoreDrillAlarms.validatorFailed,
        this.restoreDrillAlarms.noRecentSuccess,
      ],
    });
  }
}
