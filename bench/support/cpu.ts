import { readdir, readFile } from 'node:fs/promises';

/** Linux reports utime and stime in clock ticks; USER_HZ is 100 on every mainstream kernel. */
const TICKS_PER_SECOND = 100;

export interface ProcessCpu {
  readonly pid: number;
  readonly ppid: number;
  readonly command: string;
  /** User + system CPU time since the process started, in ms. */
  readonly cpuMs: number;
  /** The same for its children that have exited and been waited for (cutime + cstime). */
  readonly exitedChildrenCpuMs: number;
}

/** Parses one /proc/<pid>/stat line; the command may itself hold spaces and parentheses. */
export function parseProcStat(line: string): ProcessCpu {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error(`not a /proc/<pid>/stat line: ${line.slice(0, 80)}`);
  const fields = line.slice(close + 2).split(' ');
  // After the command: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14).
  const ppid = Number(fields[1]);
  const ticks = Number(fields[11]) + Number(fields[12]);
  const childTicks = Number(fields[13]) + Number(fields[14]);
  if (![ppid, ticks, childTicks].every(Number.isFinite))
    throw new Error(`unreadable /proc stat: ${line.slice(0, 80)}`);
  return {
    pid: Number(line.slice(0, open).trim()),
    ppid,
    command: line.slice(open + 1, close),
    cpuMs: (ticks * 1000) / TICKS_PER_SECOND,
    exitedChildrenCpuMs: (childTicks * 1000) / TICKS_PER_SECOND,
  };
}

/** Every process of this machine, or an empty list where there is no /proc (not Linux). */
export async function listProcesses(): Promise<ProcessCpu[]> {
  const entries = await readdir('/proc').catch(() => [] as string[]);
  const stats = await Promise.all(
    entries
      .filter((name) => /^\d+$/.test(name))
      .map((pid) => readFile(`/proc/${pid}/stat`, 'utf8').then(parseProcStat, () => undefined)),
  );
  return stats.filter((stat): stat is ProcessCpu => stat !== undefined);
}

/**
 * CPU ms of each named group: a group is a root pid and all of its descendants, living or
 * exited (an exited child's time moves to its parent's cutime/cstime once it is reaped, so
 * the total never falls when a PostgreSQL backend ends).
 */
export async function cpuOfGroups(groups: Readonly<Record<string, number>>): Promise<Record<string, number>> {
  const processes = await listProcesses();
  const children = new Map<number, ProcessCpu[]>();
  for (const process of processes) {
    const siblings = children.get(process.ppid) ?? [];
    siblings.push(process);
    children.set(process.ppid, siblings);
  }
  const byPid = new Map(processes.map((process) => [process.pid, process]));
  const total = (pid: number): number => {
    const own = byPid.get(pid);
    const living = (children.get(pid) ?? []).reduce((sum, child) => sum + total(child.pid), 0);
    return (own ? own.cpuMs + own.exitedChildrenCpuMs : 0) + living;
  };
  return Object.fromEntries(Object.entries(groups).map(([name, pid]) => [name, total(pid)]));
}

/** CPU ms each group spent while `work` ran (processes that exited meanwhile are not counted). */
export async function measureCpu<T>(
  groups: Readonly<Record<string, number>>,
  work: () => Promise<T>,
): Promise<{ readonly result: T; readonly cpuMs: Record<string, number> }> {
  const before = await cpuOfGroups(groups);
  const result = await work();
  const after = await cpuOfGroups(groups);
  return {
    result,
    cpuMs: Object.fromEntries(
      Object.keys(groups).map((name) => [name, (after[name] ?? 0) - (before[name] ?? 0)]),
    ),
  };
}
