/**
 * Replays a transcript one line per write with a pause between lines, as the real CLI prints: the gateway
 * then gets one line per read, the regime where per-batch costs count per event.
 *
 * Usage (from `fake_claude.sh`): `deno run --allow-read paced_replay.ts <transcript> <pause_ms>`
 */

async function main(): Promise<void> {
  const [path, pause] = Deno.args;
  const pauseMs = Number(pause ?? "1");
  const bytes = await Deno.readFile(path);
  let start = 0;
  while (start < bytes.length) {
    const end = bytes.indexOf(0x0a, start);
    const line = bytes.subarray(start, end === -1 ? bytes.length : end + 1);
    let written = 0;
    while (written < line.length) written += await Deno.stdout.write(line.subarray(written));
    start = line.length + start;
    if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}

if (import.meta.main) await main();
