/**
 * The baselines: the fake CLI run without the gateway, straight from Deno and through a shell pipe.
 *
 * @module
 */

import { FAKE_CLI } from "../testkit/processes.ts";
import { replayPrompt } from "./bench_server.ts";

/** What the gateway's runner passes, so the direct runs start the fake the same way. */
const CLI_ARGS = ["-p", "--output-format=stream-json", "--verbose", "--permission-mode=acceptEdits"];

/**
 * Spawn → first stdout line, and spawn → EOF, of the fake CLI run directly from Deno (as the runner does).
 * @param transcript what the fake replays
 */
export async function runDirect(
  transcript: string,
): Promise<{ firstLineMs: number; totalMs: number; bytes: number }> {
  const startedAt = performance.now();
  const child = new Deno.Command(FAKE_CLI, {
    args: CLI_ARGS,
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
    detached: true,
  }).spawn();
  const stdin = child.stdin.getWriter();
  stdin.write(new TextEncoder().encode(replayPrompt(transcript))).then(() => stdin.close()).catch(() => {});
  let firstLineMs = NaN;
  let bytes = 0;
  for await (const chunk of child.stdout) {
    if (Number.isNaN(firstLineMs) && chunk.includes(0x0a)) firstLineMs = performance.now() - startedAt;
    bytes += chunk.length;
  }
  const totalMs = performance.now() - startedAt;
  await child.status;
  return { firstLineMs, totalMs, bytes };
}

/**
 * `printf prompt | fake | cat > /dev/null`, timed inside bash so bash's own start-up is not counted.
 * @param transcript what the fake replays
 */
export async function runRawPipe(transcript: string): Promise<number> {
  const script =
    's=$EPOCHREALTIME; printf %s "$1" | "$0" -p | cat > /dev/null; e=$EPOCHREALTIME; echo "$s $e"';
  const output = await new Deno.Command("bash", {
    args: ["-c", script, FAKE_CLI, replayPrompt(transcript)],
    stdout: "piped",
  })
    .output();
  const [start, end] = new TextDecoder().decode(output.stdout).trim().split(" ").map(Number);
  return (end - start) * 1000;
}
