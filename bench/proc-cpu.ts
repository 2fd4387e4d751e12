// CPU time of things outside this process, read from Linux's /proc (undefined elsewhere).
import fs from "node:fs";

const TICK_US = 1e6 / 100; // USER_HZ is 100 on Linux

/** Busy CPU time of the whole machine in µs, from /proc/stat. */
export function machineBusyUs(): number | undefined {
  try {
    const f = fs.readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = f; // idle and iowait are not busy time
    return (user + nice + system + irq + softirq + (steal ?? 0)) * TICK_US;
  } catch {
    return undefined;
  }
}

/**
 * CPU time in µs per pid of the PostgreSQL backends serving `database` (their process title names it:
 * "postgres: user database host(port) state"), so other clients of the same server are not counted.
 */
export function postgresBackendsUs(database: string): Map<number, number> | undefined {
  if (!fs.existsSync("/proc/self/stat")) return undefined;
  const out = new Map<number, number>();
  for (const pid of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      if (stat.slice(stat.indexOf("(") + 1, close) !== "postgres") continue;
      const title = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
      if (!title.split(" ").includes(database)) continue;
      const f = stat.slice(close + 2).split(" "); // from field 3 on; utime and stime are fields 14 and 15
      out.set(Number(pid), (Number(f[11]) + Number(f[12])) * TICK_US);
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

/** CPU the backends used between two snapshots; backends that appeared in between count from zero. */
export function postgresDeltaUs(before: Map<number, number> | undefined, after: Map<number, number> | undefined): number | undefined {
  if (!before || !after) return undefined;
  let total = 0;
  for (const [pid, us] of after) total += us - (before.get(pid) ?? 0);
  return total;
}
