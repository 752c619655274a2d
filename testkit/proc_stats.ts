/**
 * Readings of one process from `/proc`: CPU time, resident memory, open file descriptors.
 *
 * @module
 */

/** Reads a process's CPU time in ms; see {@link cpuClock}. */
export type CpuMs = (pid: number | "self") => number;

/**
 * A reader of a process's own user + system CPU time in ms, all threads, children excluded
 * (`/proc/<pid>/stat` fields 14 and 15). It asks `getconf` for the clock tick once, when created.
 */
export function cpuClock(): CpuMs {
  const output = new Deno.Command("getconf", { args: ["CLK_TCK"], stdout: "piped", stderr: "null" })
    .outputSync();
  const ticksPerSecond = Number(new TextDecoder().decode(output.stdout).trim()) || 100;
  return (pid) => {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // The command name may hold spaces and parentheses: fields are counted after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 1000 / ticksPerSecond;
  };
}

/**
 * How many file descriptors the process has open.
 * @param pid the process
 */
export function fdCount(pid: number): number {
  return [...Deno.readDirSync(`/proc/${pid}/fd`)].length;
}

/**
 * VmRSS and VmHWM (peak RSS) in MiB from `/proc/<pid>/status`.
 * @param pid the process
 */
export function memoryMiB(pid: number): { rss: number; hwm: number } {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kib = (name: string) => Number(status.match(new RegExp(`^${name}:\\s+(\\d+) kB`, "m"))?.[1] ?? NaN);
  return { rss: kib("VmRSS") / 1024, hwm: kib("VmHWM") / 1024 };
}

/**
 * Resets the process's peak RSS (VmHWM) to its current RSS, so a later reading is the peak of what came after.
 * @param pid the process
 * @returns false when the kernel refused (then only sampled VmRSS tells the peak)
 */
export function resetPeakRss(pid: number): boolean {
  try {
    Deno.writeTextFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

/**
 * Samples VmRSS every `everyMs` until stopped; `stop()` returns the highest value seen (MiB).
 * @param pid the process
 * @param everyMs sampling period
 */
export function sampleRss(pid: number, everyMs: number): { stop(): number } {
  let peak = memoryMiB(pid).rss;
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, memoryMiB(pid).rss);
    } catch {
      // the process is gone; the peak so far stands
    }
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      try {
        peak = Math.max(peak, memoryMiB(pid).rss);
      } catch {
        // gone
      }
      return peak;
    },
  };
}
