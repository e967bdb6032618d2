import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cpuOfGroups, measureCpu, parseProcStat } from '../../bench/support/cpu.js';

describe('benchmark CPU accounting from /proc', () => {
  it('reads a stat line whose command holds spaces and parentheses', () => {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime …
    const line =
      '4242 (postgres: citadel (idle)) S 4200 4200 4200 0 -1 4194560 10 0 0 0 150 50 30 20 20 0 1 0';
    expect(parseProcStat(line)).toEqual({
      pid: 4242,
      ppid: 4200,
      command: 'postgres: citadel (idle)',
      cpuMs: 2000,
      exitedChildrenCpuMs: 500,
    });
  });

  it('refuses a line that is not a stat line', () => {
    expect(() => parseProcStat('no parentheses here')).toThrow(/not a \/proc/);
    expect(() => parseProcStat('1 (x) S notanumber 1 1 0 -1 0 0 0 0 0 a b c d')).toThrow(/unreadable/);
  });

  it.runIf(process.platform === 'linux')(
    'counts the CPU a process spends, and keeps the time of its children after they exit',
    async () => {
      const { cpuMs } = await measureCpu({ self: process.pid }, async () => {
        burnCpu(300);
      });
      // 300 ms of CPU by the process's own account; the clock-tick granularity is 10 ms.
      expect(cpuMs.self).toBeGreaterThanOrEqual(280);

      // A child that burns 300 ms of CPU and exits: once reaped, its time is in our cutime, not lost.
      const before = await cpuOfGroups({ self: process.pid });
      const child = spawn(process.execPath, ['-e', `${burnCpu.toString()}; burnCpu(300);`]);
      await new Promise((resolve) => child.once('exit', resolve));
      const after = await cpuOfGroups({ self: process.pid });
      expect((after.self ?? 0) - (before.self ?? 0)).toBeGreaterThanOrEqual(280);
    },
  );
});

/**
 * Spins until this process has used `ms` of CPU (user + system) by its own count, so the
 * amount does not shrink when other work on the machine takes the core away.
 */
function burnCpu(ms: number): void {
  const start = process.cpuUsage();
  for (;;) {
    for (let i = 0; i < 10_000; i += 1) Math.sqrt(Math.random());
    const used = process.cpuUsage(start);
    if ((used.user + used.system) / 1000 >= ms) return;
  }
}
