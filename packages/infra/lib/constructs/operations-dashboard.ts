import { AlarmWidget, Dashboard, type IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { InvalidPropError } from '../invalid-prop-error.js';

export interface OperationsDashboardProps {
  readonly dashboardName: string;
  /** Alarms whose metrics and thresholds the dashboard shows, three to a row. */
  readonly alarms: readonly IAlarm[];
}

/** One CloudWatch dashboard with a graph per operational alarm, threshold drawn in. */
export class OperationsDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    if (props.alarms.length === 0) {
      throw new InvalidPropError(
        this.node.path,
        'alarms',
        [],
        'pass the alarms whose metrics the dashboard shows',
      );
    }
    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: props.dashboardName });
    const widgets = props.alarms.map(
      (alarm) => new AlarmWidget({ alarm, title: alarm.node.id, width: 8, height: 6 }),
    );
    for (let row = 0; row < widgets.length; row += 3) {
      this.dashboard.addWidgets(...widgets.slice(row, row + 3));
    }
  }
}
