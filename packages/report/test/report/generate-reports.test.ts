import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import type { Log } from 'sarif';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CITADEL_RULE_IDS } from '@citadel/infra/compliance';
import { loadEnvironmentConfig } from '@citadel/infra/environments';
import { generateReports, type GeneratedReport } from '../../src/report/generate-reports.js';

/** Every resource type the architecture diagram must show, by SVG class. */
const EXPECTED_KINDS = [
  'client',
  'waf',
  'alb',
  'ecs',
  'rds',
  'sqs',
  'lambda',
  'endpoints',
  'kms',
  'logs',
  'bucket',
];

const outDir = mkdtempSync(join(tmpdir(), 'citadel-report-'));
let dev: GeneratedReport;

beforeAll(async () => {
  [dev] = (await generateReports({
    outDir,
    environments: ['dev'],
    assemblyDir: join(outDir, 'cdk.out'),
  })) as [GeneratedReport];
}, 240_000);

afterAll(() => {
  rmSync(outDir, { recursive: true, force: true });
});

describe('generateReports', () => {
  it('writes the page, the Markdown report, the SARIF log and the diagram for the environment', () => {
    for (const file of ['index.html', 'compliance.md', 'findings.sarif', 'diagram.svg']) {
      expect(existsSync(join(outDir, 'dev', file)), file).toBe(true);
    }
  });

  it('names at least one resource for every control that is not wholly the customer’s', () => {
    const gaps = dev.report.controls.filter((row) => row.status === 'gap').map((row) => row.control.id);
    expect(gaps).toEqual([]);
    expect(dev.report.controls.some((row) => row.status === 'customer')).toBe(true);
  });

  it('shows the conformance packs and Security Hub standards the environment deploys, with their controls', () => {
    // Act
    const { deployed, absent } = dev.report.continuous;
    const markdown = readFileSync(join(outDir, 'dev', 'compliance.md'), 'utf8');
    const html = readFileSync(join(outDir, 'dev', 'index.html'), 'utf8');

    // Assess
    expect(deployed.map(({ check }) => check.title).sort()).toEqual([
      'AWS Foundational Security Best Practices v1.0.0',
      'NIST SP 800-53 Rev. 5',
      'Operational Best Practices for HIPAA Security',
      'Operational Best Practices for PCI DSS 4.0',
      'PCI DSS v4.0.1',
    ]);
    expect(absent).toEqual([]);
    expect(deployed.every(({ path }) => path.startsWith('dev/baseline/Baseline/'))).toBe(true);
    expect(markdown).toContain('## Continuous compliance');
    expect(markdown).toMatch(
      /\| Operational Best Practices for PCI DSS 4\.0 \| AWS Config conformance pack \| [^|]+ \| PCI DSS v4\.0\.1 1\.3\.1,/,
    );
    expect(html).toContain('id="continuous-table"');
    expect(html).not.toContain('PCI DSS v4.0 ');
  });

  it('records passes for every Citadel rule and no unacknowledged finding', () => {
    const citadel = dev.report.rules.filter((rule) => rule.pack === 'Citadel');
    expect(citadel.map((rule) => rule.ruleId).sort()).toEqual([...CITADEL_RULE_IDS].sort());
    expect(citadel.every((rule) => rule.pass > 0)).toBe(true);
    expect(dev.report.failures).toEqual([]);
  });

  it('lists every acknowledgment with its reason', () => {
    expect(dev.report.acknowledgments.length).toBeGreaterThan(0);
    expect(dev.report.acknowledgments.every((ack) => ack.reason.trim().length >= 40)).toBe(true);
  });

  it('inventories data stores with their keys, external exposure, roles and log groups', () => {
    const { dataStores, exposure, roles, logGroups } = dev.report.inventories;
    expect(dataStores.find((store) => store.type === 'AWS::RDS::DBInstance')?.key).toMatch(
      /alias\/citadel\/dev\//,
    );
    // HTTP (redirect), HTTPS and the release's test listener: the only ports open to the internet.
    const testPort = loadEnvironmentConfig('dev').deployment?.testPort;
    const open = new RegExp(` (${['80', '443', ...(testPort ? [String(testPort)] : [])].join('|')}) from `);
    expect(exposure.filter((entry) => entry.kind !== 'listener' && !open.test(entry.detail))).toEqual([]);
    expect(roles.length).toBeGreaterThan(0);
    expect(logGroups.every((group) => group.key !== 'NOT KMS-ENCRYPTED')).toBe(true);
  });

  it('draws the request path, the payments pipeline and the tiers from the templates', () => {
    // Prepare
    const { nodes, edges, clusters } = dev.report.diagram;
    const kindOf = new Map(nodes.map((node) => [node.id, node.kind]));
    const tierOf = (kind: string): string | undefined =>
      clusters.get(nodes.find((node) => node.kind === kind)?.cluster ?? '');

    // Act
    const flows = edges.map((edge) => `${kindOf.get(edge.from)} -> ${kindOf.get(edge.to)}: ${edge.label}`);

    // Assess
    expect(flows).toEqual(
      expect.arrayContaining([
        'client -> waf: HTTPS',
        'waf -> alb: allowed requests',
        'alb -> ecs: HTTP:8080 to tasks',
        'ecs -> rds: IAM auth + TLS',
        'ecs -> sqs: SendMessage',
        'ecs -> endpoints: AWS APIs',
        'sqs -> lambda: batches',
        'lambda -> rds: IAM auth + TLS',
        'sqs -> sqs: after max receives',
        'rds -> backup: backups',
      ]),
    );
    expect(tierOf('alb')).toMatch(/\(public\)/);
    expect(tierOf('ecs')).toMatch(/\(private isolated\)/);
    expect(tierOf('rds')).toMatch(/\(private isolated\)/);
  });

  it('writes a SARIF 2.1.0 log with every rule and result, acknowledged findings suppressed with their reason', () => {
    // Prepare
    const sarif = JSON.parse(readFileSync(join(outDir, 'dev', 'findings.sarif'), 'utf8')) as Log;

    // Act
    const [run] = sarif.runs;
    const results = run?.results ?? [];
    const ruleIds = new Set(run?.tool.driver.rules?.map((rule) => rule.id));

    // Assess
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.$schema).toMatch(/sarif/);
    expect(run?.tool.driver.name).toBe('citadel-compliance');
    expect(results).toHaveLength(dev.report.results.length);
    expect(results.every((result) => result.ruleId !== undefined && ruleIds.has(result.ruleId))).toBe(true);
    const suppressed = results.filter((result) => result.suppressions?.length);
    expect(suppressed).toHaveLength(dev.report.acknowledgments.length);
    expect(suppressed.every((result) => (result.suppressions?.[0]?.justification ?? '').length >= 40)).toBe(
      true,
    );
    expect(results.filter((result) => result.kind === 'pass').length).toBeGreaterThan(0);
    expect(results[0]?.locations?.[0]?.logicalLocations?.[0]?.fullyQualifiedName).toMatch(/^dev\//);
  });

  it('shows who can do what: a must-allow and a must-deny row with their outcomes, in both renderings', () => {
    // Prepare
    const { access } = dev.report;
    const markdown = readFileSync(join(dev.directory, 'compliance.md'), 'utf8');
    const html = readFileSync(join(dev.directory, 'index.html'), 'utf8');
    // Act
    const send = access.principals
      .find((principal) => principal.who === 'app/ApiTaskRole')
      ?.may.find((entry) => entry.action === 'sqs:SendMessage');
    const masterSecret = access.mustDeny.find(
      (entry) => entry.who === 'app/ApiTaskRole' && entry.action === 'secretsmanager:GetSecretValue',
    );
    // Assess
    expect(access.controls).toEqual(['PCI DSS v4.0.1 7.2.1', 'PCI DSS v4.0.1 7.2.2', 'HIPAA 164.312(a)(1)']);
    expect(send).toMatchObject({
      resource: 'app/PaymentsQueue',
      via: 'sqs',
      outcome: 'allowed',
      asRequired: true,
    });
    expect(masterSecret).toMatchObject({ outcome: 'denied', asRequired: true });
    expect(markdown).toContain('## Who can do what');
    expect(markdown).toMatch(
      /\| app\/ApiTaskRole \| `sqs:SendMessage` \| `app\/PaymentsQueue` via sqs endpoint \| allowed \|/,
    );
    expect(markdown).toMatch(/\| app\/ApiTaskRole \| `secretsmanager:GetSecretValue` \| [^|]+ \| denied \|/);
    expect(html).toContain('<section id="access"><h2>Who can do what</h2>');
    expect(html).toContain('HIPAA 164.312(a)(1)');
  });

  it('fails when an environment is unknown, writing nothing', async () => {
    const emptyDir = mkdtempSync(join(tmpdir(), 'citadel-report-bad-'));
    try {
      await expect(generateReports({ outDir: emptyDir, environments: ['staging'] })).rejects.toThrow(
        /staging/,
      );
      expect(existsSync(join(emptyDir, 'staging'))).toBe(false);
    } finally {
      rmSync(emptyDir, { recursive: true, force: true });
    }
  });
});

describe('report page in headless Chromium', () => {
  let context: BrowserContext;

  beforeAll(async () => {
    // The Chromium build of the @sparticuz/chromium devDependency, unpacked into the temp
    // directory on first use: no system browser to install.
    const { default: packagedChromium } = await import('@sparticuz/chromium');
    context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'citadel-chromium-')), {
      executablePath: await packagedChromium.executablePath(),
      args: packagedChromium.args,
      headless: true,
    });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
  });

  it.each([
    ['desktop', 1280],
    ['phone', 390],
  ])(
    'loads at %s width (%i px) with no console errors or network requests and renders the diagram',
    async (label, width) => {
      // Prepare
      const page = await context.newPage();
      await page.setViewportSize({ width, height: 900 });
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('request', (request) => {
        if (!request.url().startsWith('file://')) problems.push(`network request to ${request.url()}`);
      });
      const screenshot = join(outDir, 'dev', `screenshot-${label}.png`);

      // Act
      await page.goto(`file://${join(outDir, 'dev', 'index.html')}`, { waitUntil: 'load' });
      const kinds = await page.$$eval('#diagram svg g.node', (nodes) =>
        nodes.flatMap((node) => [...node.classList].filter((name) => name.startsWith('kind-'))),
      );
      const diagramBox = await page.locator('#diagram svg').boundingBox();
      const pageWidth = await page.evaluate<number>('document.documentElement.scrollWidth');
      await page.screenshot({ path: screenshot, fullPage: true });
      await page.close();

      // Assess
      expect(problems).toEqual([]);
      for (const kind of EXPECTED_KINDS) expect(kinds, kind).toContain(`kind-${kind}`);
      expect(diagramBox?.height ?? 0).toBeGreaterThan(200);
      expect(pageWidth).toBeLessThanOrEqual(width);
      expect(readFileSync(screenshot).length).toBeGreaterThan(10_000);
    },
    60_000,
  );
});
