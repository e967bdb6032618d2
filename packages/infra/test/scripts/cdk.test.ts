import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';

const spawn = vi.fn(() => {
  const child = new EventEmitter();
  queueMicrotask(() => child.emit('exit', 0, null));
  return child;
});
vi.mock('node:child_process', () => ({ spawn }));

const { runCdkCli } = await import('../../scripts/lib/cdk.js');

describe('runCdkCli', () => {
  it('hands every argument to the CDK CLI as its own argv element, never through a shell', async () => {
    const hostile = 'image:api=v1; rm -rf / $(id)';

    await runCdkCli(['deploy', '--context', hostile], { PATH: '/usr/bin' });

    const [command, args, options] = spawn.mock.calls[0] as unknown as [
      string,
      string[],
      { shell?: unknown },
    ];
    expect(command).toBe('npx');
    expect(args).toEqual(['--no-install', 'cdk', 'deploy', '--context', hostile]);
    expect(options.shell).toBeFalsy();
  });
});
