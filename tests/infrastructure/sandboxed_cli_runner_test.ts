// DenoCommandCliRunner with a bubblewrap sandbox, driving the fake CLI: stopping reaches the CLI inside
// (its SIGINT handler runs), the escalation still ends a CLI that ignores signals, and nothing is left.
import assert from "node:assert/strict";
import type { ChatRequest } from "../../domain/chat_request.ts";
import type { CliRun } from "../../domain/cli_runner.ts";
import { DenoCommandCliRunner } from "../../infrastructure/deno_command_cli_runner.ts";
import { FAKE_CLI, processesWithHome } from "../../testkit/processes.ts";
import { waitFor } from "../../testkit/wait_for.ts";
import { startWithPrompt } from "../support/start_with_prompt.ts";

const BWRAP = "/usr/bin/bwrap";

/** Runs `fn` with a sandboxed runner whose CLI gets a private HOME (which also tells its processes apart). */
async function withSandbox(
  fn: (runner: DenoCommandCliRunner, dirs: { cwd: string; home: string }) => Promise<void>,
): Promise<void> {
  const root = Deno.realPathSync(await Deno.makeTempDir({ prefix: "cc2api-sandboxed-runner-" }));
  const home = `${root}/home`;
  const cwd = `${root}/cwd`;
  await Deno.mkdir(`${home}/.claude`, { recursive: true });
  await Deno.writeTextFile(`${home}/.claude.json`, "{}");
  await Deno.mkdir(cwd);
  const runner = new DenoCommandCliRunner({
    claudePath: FAKE_CLI,
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", HOME: home },
    graceMs: 300,
    killAfterMs: 300,
    setsidPath: "/usr/bin/setsid",
    sandbox: { bwrapPath: BWRAP, home, hiddenDirs: [], hiddenFiles: [], roPaths: [], rwPaths: [] },
  });
  try {
    await fn(runner, { cwd, home });
    await waitFor(() => processesWithHome(home, [Deno.pid]).length === 0, "no sandboxed process left", 5_000);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

/** A test of a sandboxed runner (skipped outside CI on a machine without bubblewrap). */
function sandboxTest(
  name: string,
  fn: (runner: DenoCommandCliRunner, dirs: { cwd: string; home: string }) => Promise<void>,
): void {
  Deno.test({ name, ignore, fn: () => withSandbox(fn) });
}

async function output(run: CliRun): Promise<string> {
  let text = "";
  for (let chunk = await run.readStdout(); chunk; chunk = await run.readStdout()) {
    text += new TextDecoder().decode(chunk);
  }
  return text;
}

/** Waits for the first stdout chunk (the CLI's init line), returning it. */
async function firstChunk(run: CliRun): Promise<string> {
  const chunk = await run.readStdout();
  return chunk ? new TextDecoder().decode(chunk) : "";
}

/** Starts a chat, stops it once the CLI has printed its first line, and reads it to its end. */
async function startAndStop(runner: DenoCommandCliRunner, request: ChatRequest) {
  const run = await startWithPrompt(runner, request);
  await firstChunk(run);
  run.stop();
  return { rest: await output(run), exit: await run.exit };
}

/** Outside CI a machine without bubblewrap skips these; CI installs it, so there they run. */
const ignore = Deno.env.get("CI") !== "true" && !hasBwrap();

function hasBwrap(): boolean {
  try {
    return Deno.statSync(BWRAP).isFile;
  } catch {
    return false;
  }
}

sandboxTest(
  "DenoCommandCliRunner in a sandbox runs the CLI in the checked cwd, in a PID namespace of its own",
  async (runner, { cwd }) => {
    const run = await startWithPrompt(runner, { prompt: "hang", cwd });
    const init = JSON.parse(await firstChunk(run));
    assert.equal(init.cwd, cwd);
    // The sandbox's PID 1 is bwrap's; the CLI is the first process it started.
    assert.equal(init.pid, 2);
    run.kill();
    const exit = await run.exit;
    assert.equal(exit.signal, "SIGKILL");
  },
);

sandboxTest(
  "DenoCommandCliRunner in a sandbox stops the CLI with SIGINT, which the CLI itself handles",
  async (runner, { cwd }) => {
    const { rest, exit } = await startAndStop(runner, { prompt: "hang", cwd });
    assert.match(rest, /\[Request interrupted by user\]/);
    assert.deepEqual({ ...exit, stderrTail: "" }, { code: 0, signal: null, stderrTail: "" });
  },
);

sandboxTest(
  "DenoCommandCliRunner in a sandbox still ends a CLI that ignores SIGINT and SIGTERM",
  async (runner, { cwd }) => {
    const { exit } = await startAndStop(runner, { prompt: "ignore-signals", cwd });
    assert.equal(exit.signal, "SIGKILL");
  },
);
