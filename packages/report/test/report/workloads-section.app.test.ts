import { describe, expect, it } from 'vitest';
import { TemplateIndex } from '../../src/report/template-index.js';
import { acknowledgmentsOf, buildWorkloadsSection } from '../../src/report/workloads-section.js';
import { synthesizedApp } from '../support/synthesized-app.js';

const { app, stages } = synthesizedApp();
const assembly = app.synth();
const sections = stages.map((stage) => ({
  environment: stage.stageName,
  section: buildWorkloadsSection(new TemplateIndex(assembly, stage), acknowledgmentsOf(stage)),
}));

const CONTAINER_GUARDRAILS = ['nonRootUser', 'readOnlyRootFilesystem', 'noPublicIp'] as const;

describe.each(sections)('the Workloads section of $environment', ({ environment, section }) => {
  it('lists exactly Citadel’s four workloads, each with its kind', () => {
    expect(section.rows.map((row) => [row.name, row.kind])).toEqual([
      ['api', 'service'],
      ['idempotency-retention', 'job'],
      ['payment-outbox', 'job'],
      ['payment-processor', 'function'],
    ]);
  });

  it('holds every guardrail that applies, and counts no failure', () => {
    const failing = section.rows.flatMap((row) =>
      Object.entries(row.guardrails)
        .filter(([, check]) => check.verdict === 'no')
        .map(([id, check]) => `${row.name} ${id}: ${check.detail}`),
    );
    expect(failing, environment).toEqual([]);
    expect(section.counts).toMatchObject({ workloads: 4, failing: 0, workloadsFailing: 0 });
  });

  it('checks the container guardrails on the API and the jobs, not on the function', () => {
    for (const row of section.rows) {
      const expected = row.kind === 'function' ? 'n/a' : 'yes';
      for (const guardrail of CONTAINER_GUARDRAILS) expect(row.guardrails[guardrail].verdict).toBe(expected);
      expect(row.guardrails.encryptedRetainedLogs.verdict).toBe('yes');
      expect(row.guardrails.alarmed.verdict).toBe('yes');
      expect(row.guardrails.scopedIam.verdict).toBe('yes');
    }
  });

  it('names each workload’s own database role and the alarms that watch it', () => {
    expect(Object.fromEntries(section.rows.map((row) => [row.name, row.iam.databaseRoles]))).toEqual({
      api: ['citadel_app'],
      'idempotency-retention': ['citadel_retention'],
      'payment-outbox': ['citadel_outbox'],
      'payment-processor': ['citadel_processor'],
    });
    const alarms = (name: string) => section.rows.find((row) => row.name === name)?.guardrails.alarmed.detail;
    expect(alarms('api')).toMatch(/ServiceCpu/);
    expect(alarms('api')).toMatch(/UnhealthyHosts/);
    expect(alarms('payment-processor')).toMatch(/ProcessorErrors/);
    expect(alarms('payment-processor')).toMatch(/DeadLetterQueueDepth/);
    expect(alarms('payment-outbox')).toMatch(/JobPaymentOutboxNotSucceeding/);
    expect(alarms('idempotency-retention')).toMatch(/JobIdempotencyRetentionNotSucceeding/);
  });
});
