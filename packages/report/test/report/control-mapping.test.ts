import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CITADEL_PACK_NAME,
  CITADEL_RULES,
  isPciDssRequirement,
  PCI_DSS_REQUIREMENT_ID,
  PCI_DSS_V4_REQUIREMENTS,
  PCI_DSS_VERSION,
} from '@citadel/infra/compliance';
import {
  CONTINUOUS_CHECKS,
  CONTROLS,
  controlLabel,
  pciDssRequirementsByRule,
} from '../../src/report/control-mapping.js';

const PCI_ROWS = CONTROLS.filter((control) => control.framework === PCI_DSS_VERSION);
const COMPLIANCE_DOC = readFileSync(new URL('../../../../docs/compliance.md', import.meta.url), 'utf8');

describe('the checked-in PCI DSS v4.0.1 requirement list', () => {
  it('holds only ids of the form 1.2.3 with a title', () => {
    for (const [id, title] of Object.entries(PCI_DSS_V4_REQUIREMENTS)) {
      expect(id, id).toMatch(PCI_DSS_REQUIREMENT_ID);
      expect(Number(id.split('.')[0]), id).toBeLessThanOrEqual(12);
      expect(title.length, id).toBeGreaterThan(10);
    }
  });

  it.each([
    ['a v3.2.1 id v4.0.1 does not have', '3.4'],
    ['a top-level number', '12'],
    ['a combined reference', '1.2 / 1.3'],
    ['a trailing separator', '3.5.1.'],
    ['too many levels', '1.2.3.4.5'],
    ['Arabic-Indic digits', '٣.٥.١'],
    ['full-width digits', '３.５.１'],
    ['a leading space', ' 3.5.1'],
    ['a prototype key', '__proto__'],
    ['an id that has the form but is not listed', '3.5.9'],
  ])('refuses %s (%s)', (_case, id) => {
    expect(isPciDssRequirement(id)).toBe(false);
  });

  it('refuses any string that is not a listed id', () => {
    const listed = new Set(Object.keys(PCI_DSS_V4_REQUIREMENTS));
    fc.assert(
      fc.property(fc.string(), (id) => {
        expect(isPciDssRequirement(id)).toBe(listed.has(id));
      }),
    );
  });
});

describe('PCI DSS v4.0.1 in the control mapping', () => {
  it('labels every PCI DSS row PCI DSS v4.0.1', () => {
    expect(PCI_DSS_VERSION).toBe('PCI DSS v4.0.1');
    expect(PCI_ROWS.length).toBeGreaterThan(10);
    expect(
      CONTROLS.every((control) => control.framework === 'HIPAA' || control.framework === PCI_DSS_VERSION),
    ).toBe(true);
  });

  it.each(PCI_ROWS.map((control) => [controlLabel(control), control] as const))(
    '%s names only listed v4.0.1 requirements',
    (_label, control) => {
      for (const id of [control.id, ...(control.related ?? [])])
        expect(isPciDssRequirement(id), id).toBe(true);
    },
  );

  it.each(CITADEL_RULES.map((rule) => [`${CITADEL_PACK_NAME}-${rule.suffix}`, rule] as const))(
    '%s names at least one listed v4.0.1 requirement, and each appears in the mapping',
    (ruleId, rule) => {
      // Prepare
      const mapped = new Set(PCI_ROWS.flatMap((control) => [control.id, ...(control.related ?? [])]));

      // Assess
      expect(rule.pciDss.length, ruleId).toBeGreaterThan(0);
      for (const id of rule.pciDss) {
        expect(isPciDssRequirement(id), `${ruleId} ${id}`).toBe(true);
        expect(mapped, `${ruleId} ${id}`).toContain(id);
      }
    },
  );

  it('puts a Citadel rule only in PCI DSS rows whose requirements it names', () => {
    for (const control of PCI_ROWS) {
      const rowIds = [control.id, ...(control.related ?? [])];
      for (const ruleId of control.rules.filter((id) => id.startsWith(`${CITADEL_PACK_NAME}-`))) {
        const rule = CITADEL_RULES.find((candidate) => `${CITADEL_PACK_NAME}-${candidate.suffix}` === ruleId);
        expect(rule, ruleId).toBeDefined();
        expect(
          rule?.pciDss.some((id) => rowIds.includes(id)),
          `${ruleId} in ${controlLabel(control)}`,
        ).toBe(true);
      }
    }
  });

  it('documents in docs/compliance.md the v4.0.1 requirements each cdk-nag PCI.DSS.321 rule evidences', () => {
    const byRule = pciDssRequirementsByRule();
    expect(byRule.size).toBeGreaterThan(15);
    for (const [rule, ids] of byRule) expect(COMPLIANCE_DOC).toContain(`| \`${rule}\` | ${ids.join(', ')} |`);
  });

  it('documents every Citadel rule with its v4.0.1 requirements in docs/compliance.md', () => {
    for (const rule of CITADEL_RULES) {
      expect(COMPLIANCE_DOC).toContain(
        `| \`${CITADEL_PACK_NAME}-${rule.suffix}\` | ${rule.pciDss.join(', ')} |`,
      );
    }
  });
});

describe('continuous checks', () => {
  it('map only to controls of the control mapping', () => {
    const known = new Set(CONTROLS.map((control) => `${control.framework} ${control.id}`));
    for (const check of CONTINUOUS_CHECKS)
      for (const control of check.controls) expect(known, control).toContain(control);
  });

  it('map the PCI DSS pack and standard to PCI DSS v4.0.1 rows and the HIPAA pack to HIPAA rows', () => {
    const controlsOf = (deployedAs: string) =>
      CONTINUOUS_CHECKS.find((check) => check.deployedAs === deployedAs)?.controls ?? [];
    expect(controlsOf('citadel-pci-dss-v4')).toContain('PCI DSS v4.0.1 10.5.1');
    expect(controlsOf('pci-dss/v/4.0.1').every((control) => control.startsWith('PCI DSS v4.0.1 '))).toBe(
      true,
    );
    expect(controlsOf('citadel-hipaa-security')).toContain('HIPAA 164.312(b)');
    expect(controlsOf('citadel-hipaa-security').every((control) => control.startsWith('HIPAA '))).toBe(true);
  });
});
