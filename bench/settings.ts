/**
 * The bench's sizes, run counts and bounds, each changeable through a `BENCH_*` variable.
 *
 * @module
 */

/** What one bench run measures and how often. */
export interface Settings {
  ttfeRuns: number;
  ttfeLines: number;
  ttfeLineBytes: number;
  throughputRuns: number;
  throughputLines: number;
  throughputLineBytes: number;
  sweep: number[];
  sweepRuns: number;
  sweepLines: number;
  sweepLineBytes: number;
  startupRuns: number;
  chatRuns: number;
  pacedStreams: number;
  pacedLines: number;
  pacedPauseMs: number;
  /** Chats that each fill a REPLAY_BYTES, for the memory of retention. */
  replayChats: number;
  /** Real-CLI chats per side (cold, warm) of the warm start phase. */
  cliRuns: number;
  /** The pause after each of those chats, so the next starts on a quiet machine. */
  cliPauseMs: number;
  deadlineS: number;
  jsonPath: string | undefined;
}

/** Reads the settings from `BENCH_*` variables, with the defaults of `deno task bench`. */
export function readSettings(): Settings {
  const int = (name: string, fallback: number) => {
    const value = Deno.env.get(name);
    return value ? Number.parseInt(value, 10) : fallback;
  };
  return {
    ttfeRuns: int("BENCH_TTFE_RUNS", 40),
    ttfeLines: int("BENCH_TTFE_LINES", 40),
    ttfeLineBytes: int("BENCH_TTFE_LINE_BYTES", 800),
    throughputRuns: int("BENCH_THROUGHPUT_RUNS", 7),
    replayChats: int("BENCH_REPLAY_CHATS", 100),
    cliRuns: int("BENCH_CLI_RUNS", 20),
    cliPauseMs: int("BENCH_CLI_PAUSE_MS", 1500),
    throughputLines: int("BENCH_THROUGHPUT_LINES", 100_000),
    throughputLineBytes: int("BENCH_THROUGHPUT_LINE_BYTES", 500),
    sweep: (Deno.env.get("BENCH_SWEEP") ?? "1,10,100,500").split(",").map(Number),
    sweepRuns: int("BENCH_SWEEP_RUNS", 3),
    sweepLines: int("BENCH_SWEEP_LINES", 200),
    sweepLineBytes: int("BENCH_SWEEP_LINE_BYTES", 500),
    startupRuns: int("BENCH_STARTUP_RUNS", 5),
    chatRuns: int("BENCH_CHAT_RUNS", 60),
    pacedStreams: int("BENCH_PACED_STREAMS", 20),
    pacedLines: int("BENCH_PACED_LINES", 1000),
    pacedPauseMs: int("BENCH_PACED_PAUSE_MS", 1),
    deadlineS: int("BENCH_DEADLINE_S", 600),
    jsonPath: Deno.env.get("BENCH_JSON"),
  };
}
