// The warm pool over a sandboxed DenoCommandCliRunner, driving the fake CLI: spares start in the sandbox too,
// a chat runs on one, and closing the pool leaves no sandboxed process.
import assert from "node:assert/strict";
import { silentLogger } from "../../application/logger.ts";
import type { CliRun } from "../../domain/cli_runner.ts";
import { DenoCommandCliRunner } from "../../infrastructure/deno_command_cli_runner.ts";
import { systemClock } from "../../infrastructure/system_clock.ts";
import { WarmCliRunner } from "../../infrastructure/warm_cli_runner.ts";
import { FAKE_CLI, processesWithHome, readingStdin } from "../../testkit/processes.ts";
import { waitFor, within } from "../../testkit/wait_for.ts";
import { startWithPrompt } from "../support/start_with_prompt.ts";

const BWRAP = "/usr/bin/bwrap";

/** Outside CI a machine without bubblewrap skips this; CI installs it, so there it runs. */
const ignore = Deno.env.get("CI") !== "true" && !(() => {
  try {
    return Deno.statSync(BWRAP).isFile;
  } catch {
    return false;
  }
})();

async function output(run: CliRun): Promise<string> {
  let text = "";
  for (let chunk = await run.readStdout(); chunk; chunk = await run.readStdout()) {
    text += new TextDecoder().decode(chunk);
  }
  return text;
}

Deno.test({
  name: "WarmCliRunner keeps its spares in the sandbox, and a chat served by one runs there",
  ignore,
  fn: async () => {
    const root = Deno.realPathSync(await Deno.makeTempDir({ prefix: "cc2api-warm-sandboxed-" }));
    const home = `${root}/home`;
    const cwd = `${root}/cwd`;
    await Deno.mkdir(`${home}/.claude`, { recursive: true });
    await Deno.writeTextFile(`${home}/.claude.json`, "{}");
    await Deno.mkdir(cwd);
    const sandboxed = new DenoCommandCliRunner({
      claudePath: FAKE_CLI,
      env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", HOME: home },
      graceMs: 300,
      killAfterMs: 300,
      setsidPath: "/usr/bin/setsid",
      sandbox: { bwrapPath: BWRAP, home, hiddenDirs: [], hiddenFiles: [], roPaths: [], rwPaths: [] },
    });
    const warm = new WarmCliRunner({
      runner: sandboxed,
      perConfig: 1,
      max: 1,
      idleMs: 60_000,
      clock: systemClock,
      logger: silentLogger,
    });
    try {
      const request = { prompt: "started", cwd };
      const cold = await output(await startWithPrompt(warm, request));
      assert.match(cold, /"type":"started"/);
      await waitFor(
        () => warm.stats().spares === 1 && processesWithHome(home, [Deno.pid]).length > 0,
        "a spare to be waiting",
      );
      await waitFor(
        () => processesWithHome(home, [Deno.pid]).some(readingStdin),
        "the CLI in the spare's sandbox to wait for its prompt",
      );
      const spare = processesWithHome(home, [Deno.pid]);
      const requestedUs = Date.now() * 1000;
      const run = await startWithPrompt(warm, request);
      assert.ok(spare.includes(run.pid), "the chat got the spare");
      const command = Deno.readTextFileSync(`/proc/${run.pid}/cmdline`).split("\0");
      assert.equal(command[0], BWRAP, "the spare runs in the sandbox");
      const text = await within(output(run), 10_000, "the warm chat's output");
      const started = JSON.parse(text.split("\n").find((line) => line.includes('"type":"started"'))!);
      assert.ok(started.started_us < requestedUs, "its CLI started before the chat");
      assert.equal(started.pid < 10, true, "in a PID namespace of its own");
      assert.equal((await run.exit).code, 0);
    } finally {
      await within(warm.close(), 10_000, "the pool to close");
      await waitFor(
        () => processesWithHome(home, [Deno.pid]).length === 0,
        "no sandboxed process left",
        5_000,
      );
      await Deno.remove(root, { recursive: true });
    }
  },
});
