import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_NAMES, loadEnvironmentConfig } from '../../config/index.js';
import { recoveryObjectivesTable } from '../../config/recovery.js';

const OPERATIONS = fileURLToPath(new URL('../../../../docs/operations.md', import.meta.url));

describe('docs/operations.md', () => {
  it('shows the recovery objectives each environment is configured with', () => {
    const text = readFileSync(OPERATIONS, 'utf8');
    const table = /<!-- recovery-objectives:start -->\n([\s\S]*?)\n<!-- recovery-objectives:end -->/.exec(
      text,
    )?.[1];

    expect(table).toBe(recoveryObjectivesTable(ENVIRONMENT_NAMES.map((name) => loadEnvironmentConfig(name))));
  });
});
