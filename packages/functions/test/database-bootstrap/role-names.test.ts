import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  loginRolesProblem,
  MAX_ROLE_NAME_BYTES,
  roleNameProblem,
} from '../../src/database-bootstrap/role-names.js';

const REQUIRED = ['citadel_app', 'citadel_processor'] as const;

describe('workload role names', () => {
  it.each([
    ['empty', '', /must not be empty/],
    ['a double quote', 'citadel"app', /lower-case PostgreSQL identifier.*"citadel\\"app"/],
    ['a closing quote and a statement', 'x"; DROP ROLE citadel_app; --', /lower-case PostgreSQL identifier/],
    ['a single quote', "o'brien", /lower-case PostgreSQL identifier/],
    ['a space', 'citadel app', /lower-case PostgreSQL identifier/],
    ['a leading space', ' citadel_app', /lower-case PostgreSQL identifier/],
    ['upper case', 'Citadel_App', /lower-case PostgreSQL identifier/],
    ['a leading digit', '1job', /lower-case PostgreSQL identifier/],
    ['a hyphen', 'citadel-app', /lower-case PostgreSQL identifier/],
    ['a dollar sign', 'job$1', /lower-case PostgreSQL identifier/],
    ['a NUL byte', 'citadel\u0000app', /lower-case PostgreSQL identifier/],
    ['a non-ASCII letter', 'citadel_jöb', /lower-case PostgreSQL identifier/],
    ['a look-alike Cyrillic a', 'citadel_\u0430pp', /lower-case PostgreSQL identifier/],
    ['64 ASCII bytes', 'a'.repeat(64), /at most 63 bytes/],
    ['32 two-byte characters (64 bytes)', 'é'.repeat(32), /at most 63 bytes/],
    ['the cluster owner', 'postgres', /reserved name/],
    ['PUBLIC', 'public', /reserved name/],
    ['a grammar role name', 'current_user', /reserved name/],
    ['a reserved key word', 'user', /reserved name/],
    ["RDS's administrators role", 'rds_superuser', /must not begin with "rds"/],
    ["RDS's own login", 'rdsadmin', /must not begin with "rds"/],
    ['the rds_iam role itself', 'rds_iam', /must not begin with "rds"/],
    ['a predefined PostgreSQL role', 'pg_read_all_data', /must not begin with "pg_"/],
    ['a number', 42, /must be a string, got 42/],
    ['null', null, /must be a string, got null/],
    ['an object', { Name: 'citadel_app' }, /must be a string/],
  ])('refuses a name with %s', (_case, name, message) => {
    expect(roleNameProblem(name)).toMatch(message);
  });

  it.each(['citadel_app', 'citadel_retention', '_reports', 'job2', 'a'.repeat(MAX_ROLE_NAME_BYTES)])(
    'accepts %s',
    (name) => {
      expect(roleNameProblem(name)).toBeUndefined();
    },
  );

  it('accepts only names PostgreSQL keeps as written, without quoting, and outside reserved prefixes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[a-z_][a-z0-9_]{0,70}$/)), (name) => {
        if (roleNameProblem(name) !== undefined) return;
        expect(name).toMatch(/^[a-z_][a-z0-9_]{0,62}$/);
        expect(name.startsWith('pg_') || name.startsWith('rds')).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts every short lower-case identifier outside the reserved prefixes and words', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^w[a-z0-9_]{0,62}$/), (name) => {
        fc.pre(!['when', 'where', 'window', 'with'].includes(name));
        expect(roleNameProblem(name)).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  });
});

describe('workload login role lists', () => {
  it.each([
    ['a duplicate', [...REQUIRED, 'citadel_app'], /lists "citadel_app" twice/],
    ['a bad entry', [...REQUIRED, 'citadel_reports', 'Reports'], /entry 3 must be a lower-case.*"Reports"/],
    ['an empty entry', [...REQUIRED, ''], /entry 2 must not be empty/],
    ['no processor', ['citadel_app'], /must list "citadel_processor"/],
    ['nothing', [], /must list "citadel_app" and "citadel_processor"/],
    ['a reserved role', [...REQUIRED, 'pg_write_all_data'], /entry 2 must not begin with "pg_"/],
  ])('refuses a list with %s', (_case, roles, message) => {
    expect(loginRolesProblem(roles, REQUIRED)).toMatch(message);
  });

  it('accepts the Citadel workloads and a user workload', () => {
    const roles = [...REQUIRED, 'citadel_retention', 'citadel_outbox', 'acme_reports'];

    expect(loginRolesProblem(roles, REQUIRED)).toBeUndefined();
  });
});
