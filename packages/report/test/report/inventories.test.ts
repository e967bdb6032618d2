import {
  App,
  Stack,
  Stage,
  aws_ec2 as ec2,
  aws_kms as kms,
  aws_logs as logs,
  aws_sqs as sqs,
} from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { buildInventories } from '../../src/report/inventories.js';
import { TemplateIndex } from '../../src/report/template-index.js';

const env = { account: '111111111111', region: 'eu-west-1' };

/** A two-stack stage: keys and a VPC in one stack, a queue, a log group and security groups using them in the other. */
function synthesizeFixture(): TemplateIndex {
  const app = new App();
  const stage = new Stage(app, 'fixture', { env });
  const keys = new Stack(stage, 'Keys');
  const key = new kms.Key(keys, 'MessagesKey', { enableKeyRotation: true, alias: 'alias/fixture/messages' });
  const vpc = new ec2.Vpc(keys, 'Vpc', {
    ipAddresses: ec2.IpAddresses.cidr('10.20.0.0/16'),
    availabilityZones: ['eu-west-1a'],
    natGateways: 0,
    subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  const workload = new Stack(stage, 'Workload');
  workload.addDependency(keys);
  new sqs.Queue(workload, 'Queue', { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: key });
  new logs.LogGroup(workload, 'Logs', { retention: logs.RetentionDays.ONE_YEAR });
  const open = new ec2.SecurityGroup(workload, 'Open', { vpc });
  open.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'public HTTPS');
  open.addIngressRule(ec2.Peer.ipv4('10.20.5.0/24'), ec2.Port.tcp(5432), 'from inside the VPC');
  open.addIngressRule(
    ec2.Peer.ipv4('192.168.0.0/24'),
    ec2.Port.tcpRange(8000, 8010),
    'from a partner network',
  );
  return new TemplateIndex(app.synth(), stage);
}

describe('buildInventories', () => {
  const inventories = buildInventories(synthesizeFixture());

  it('names the key of a data store in another stack by its alias', () => {
    expect(inventories.dataStores).toContainEqual({
      store: 'Workload/Queue',
      type: 'AWS::SQS::Queue',
      key: 'alias/fixture/messages',
    });
  });

  it('lists security-group rules open to addresses outside the VPC, and only those', () => {
    expect(inventories.exposure.map((entry) => entry.detail).sort()).toEqual([
      'tcp 443 from 0.0.0.0/0',
      'tcp 8000-8010 from 192.168.0.0/24',
    ]);
  });

  it('flags a log group without a KMS key', () => {
    expect(inventories.logGroups).toEqual([
      { logGroup: 'Workload/Logs', retentionDays: '365', key: 'NOT KMS-ENCRYPTED' },
    ]);
  });
});
