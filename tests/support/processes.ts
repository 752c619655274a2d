/** Pids of live (non-zombie) processes in process group `pgid`, read from /proc. */
export function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      // Fields after the command name (which may contain spaces) start after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const state = fields[0];
      const group = Number(fields[2]);
      if (group === pgid && state !== "Z" && state !== "X") members.push(Number(entry.name));
    } catch {
      // The process ended while we looked.
    }
  }
  return members;
}

/** Waits until process group `pgid` has no live member, or fails after `timeoutMs`. */
export async function waitGroupGone(pgid: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (groupMembers(pgid).length > 0) {
    if (Date.now() > deadline) throw new Error(`process group ${pgid} still has ${groupMembers(pgid)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Pids of live processes whose command line contains `needle`. */
export function processesMatching(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name) || Number(entry.name) === Deno.pid) continue;
    try {
      const cmdline = Deno.readTextFileSync(`/proc/${entry.name}/cmdline`).replaceAll("\0", " ");
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      const state = stat.slice(stat.lastIndexOf(")") + 2)[0];
      if (cmdline.includes(needle) && state !== "Z") pids.push(Number(entry.name));
    } catch {
      // gone
    }
  }
  return pids;
}

/**
 * Pids of the CLIs themselves whose command line contains `needle`: each leads its own process group, which
 * tells it from a shell's forked copies of itself (a subshell has the same command line for a moment).
 */
export function cliLeadersMatching(needle: string): number[] {
  return processesMatching(needle).filter((pid) => {
    try {
      const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
      return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]) === pid;
    } catch {
      return false;
    }
  });
}

/** The absolute path of the fake CLI used by integration tests. */
export const FAKE_CLI = new URL("../fixtures/fake_claude.sh", import.meta.url).pathname;
