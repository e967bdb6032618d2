import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readRepoFile, repoPath } from './repo.js';

/** The commands of a shell script: every line but the interpreter line, blank lines and comments. */
function commandsOf(script: string): string[] {
  return script
    .split('\n')
    .map((line) => line.trim())
    .filter((line, index) => !(index === 0 && line.startsWith('#!')))
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** The commands of the README's `sh` code blocks, split at `&&`. */
function readmeCommands(): string[] {
  return [...readRepoFile('README.md').matchAll(/```sh\n([\s\S]*?)```/g)].flatMap(([, block]) =>
    commandsOf(block as string).flatMap((line) => line.split('&&').map((command) => command.trim())),
  );
}

describe('.ci/run', () => {
  it('runs exactly the README install and test commands, in that order, stopping at the first failure', () => {
    // Prepare
    const readme = readmeCommands();

    // Act
    const script = readRepoFile('.ci/run');

    // Assess
    expect(readme).toEqual(expect.arrayContaining(['npm ci', 'npm test']));
    expect(script.split('\n')[0]).toBe('#!/usr/bin/env bash');
    expect(commandsOf(script)).toEqual(['set -euo pipefail', 'npm ci', 'npm test']);
  });

  it('installs no system package: the browser the tests use comes from npm', () => {
    // Act
    const script = readRepoFile('.ci/run');

    // Assess
    expect(script).not.toMatch(/\b(apt-get|apt|dpkg|yum|dnf|apk|brew|sudo)\b/);
  });

  it('is executable', () => {
    // Act
    const { mode } = statSync(repoPath('.ci/run'));

    // Assess
    expect(mode & 0o111).toBe(0o111);
  });
});
