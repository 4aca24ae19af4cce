/**
 * CPU time of processes from /proc (Linux), so a benchmark can say what each part of a run cost
 * per company. PostgreSQL runs one process per connection under its postmaster; a backend that
 * ended counts in the postmaster's "children" time once reaped, so a cluster's CPU is the
 * postmaster's own and reaped children's, plus each live backend's.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

interface Stat {
  ppid: number;
  /** utime + stime, in ms. */
  own: number;
  /** cutime + cstime (reaped children), in ms. */
  reaped: number;
}

function stat(pid: number): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis don't.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const ms = (i: number) => (Number(fields[i]) * 1000) / clockTicks();
    return { ppid: Number(fields[1]), own: ms(11) + ms(12), reaped: ms(13) + ms(14) };
  } catch {
    return undefined;
  }
}

/** CPU ms the processes have used so far (0 for one that is gone). */
export function cpuMs(pids: number[]): number {
  return pids.reduce((sum, pid) => sum + (stat(pid)?.own ?? 0), 0);
}

/** CPU ms of a PostgreSQL cluster so far: the postmaster, its live backends and reaped ones. */
export function postgresCpuMs(postmasterPid: number): number {
  const postmaster = stat(postmasterPid);
  if (!postmaster) return 0;
  let sum = postmaster.own + postmaster.reaped;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const child = stat(Number(entry));
    if (child?.ppid === postmasterPid) sum += child.own;
  }
  return sum;
}
