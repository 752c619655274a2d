/**
 * Counting processes through `/proc`: process groups, command lines, environments.
 *
 * @module
 */

/** The fields of `/proc/<pid>/stat` after the command name (which may hold spaces and parentheses). */
function statFields(pid: number | string): string[] {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/** Whether `pid` is neither a zombie nor dead. @throws {Deno.errors.NotFound} once it is gone */
function isLive(pid: number | string): boolean {
  const state = statFields(pid)[0];
  return state !== "Z" && state !== "X";
}

/** Pids of live (non-zombie) processes in process group `pgid`, read from /proc. */
export function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const fields = statFields(entry.name);
      if (Number(fields[2]) === pgid && fields[0] !== "Z" && fields[0] !== "X") {
        members.push(Number(entry.name));
      }
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
      if (cmdline.includes(needle) && statFields(entry.name)[0] !== "Z") pids.push(Number(entry.name));
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
      return Number(statFields(pid)[2]) === pid;
    } catch {
      return false;
    }
  });
}

/** Pids of live processes whose environment holds exactly `HOME=<home>`, except `exclude`. */
export function processesWithHome(home: string, exclude: number[]): number[] {
  const needle = `\0HOME=${home}\0`;
  const pids: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const pid = Number(entry.name);
    if (exclude.includes(pid)) continue;
    try {
      if (!isLive(pid)) continue;
      const environ = `\0${Deno.readTextFileSync(`/proc/${pid}/environ`)}`;
      if (environ.includes(needle)) pids.push(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

/** The absolute path of the fake CLI (`fake_claude.sh`) that tests, bench and the load tool run. */
export const FAKE_CLI = new URL("./fake_claude.sh", import.meta.url).pathname;

/**
 * Copies the fake CLI into `dir`, so the processes of one test are told from all others by their path.
 * @param dir an existing directory
 * @returns the copy's path
 */
export async function privateFakeCli(dir: string): Promise<string> {
  const cli = `${dir}/fake-claude.sh`;
  await Deno.copyFile(FAKE_CLI, cli);
  await Deno.chmod(cli, 0o755);
  return cli;
}

/**
 * Whether `pid` is blocked reading its stdin now (`read(0, …)` in `/proc/<pid>/syscall`, x86-64 and arm64
 * numbering): a CLI waiting for its first message, past its start-up.
 */
export function readingStdin(pid: number): boolean {
  try {
    const [call, fd] = Deno.readTextFileSync(`/proc/${pid}/syscall`).split(" ");
    const read = Deno.build.arch === "aarch64" ? "63" : "0";
    return call === read && fd === "0x0";
  } catch {
    return false;
  }
}
