import assert from "node:assert/strict";
import { LineSplitter } from "../../application/line_splitter.ts";
import type { ChatRequest } from "../../domain/chat_request.ts";
import type { CliRun } from "../../domain/cli_runner.ts";
import { CliUnavailableError, InvalidFieldError } from "../../domain/errors.ts";
import { DenoCommandCliRunner, STDERR_TAIL_BYTES } from "../../infrastructure/deno_command_cli_runner.ts";
import { FAKE_CLI, groupMembers, waitGroupGone } from "../../testkit/processes.ts";
import { echoedPrompt, startWithPrompt } from "../support/start_with_prompt.ts";

const decoder = new TextDecoder();

const SETSID = ["/usr/bin/setsid", "/bin/setsid"].find((path) => {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
});

/**
 * Each test runs twice: with the CLI in its own group through `setsid` (when the machine has it, as the
 * server does) and through `detached: true`.
 */
const MODES = SETSID ? [SETSID, null] : [null];

let mode: string | null = null;

function runner(options: { graceMs?: number; killAfterMs?: number; claudePath?: string } = {}) {
  return new DenoCommandCliRunner({
    claudePath: options.claudePath ?? FAKE_CLI,
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" },
    graceMs: options.graceMs ?? 2000,
    killAfterMs: options.killAfterMs ?? 1000,
    setsidPath: mode,
  });
}

function test(name: string, fn: () => Promise<void>): void {
  for (const each of MODES) {
    Deno.test(`${name} (${each ? "setsid" : "detached"})`, async () => {
      mode = each;
      await fn();
    });
  }
}

function request(prompt: string, extra: Partial<ChatRequest> = {}): ChatRequest {
  return { prompt, cwd: Deno.cwd(), ...extra };
}

async function readLines(run: CliRun, maxLineBytes = 1 << 26): Promise<Uint8Array[]> {
  const splitter = new LineSplitter(maxLineBytes);
  const lines: Uint8Array[] = [];
  for (let chunk = await run.readStdout(); chunk; chunk = await run.readStdout()) {
    // A chunk is valid until the next read: keep copies.
    lines.push(...splitter.push(chunk).map((line) => line.slice()));
  }
  const rest = splitter.flush();
  if (rest) lines.push(rest);
  return lines;
}

async function readText(run: CliRun): Promise<string[]> {
  return (await readLines(run)).map((line) => decoder.decode(line));
}

test("DenoCommandCliRunner streams every stdout line of the CLI and reports exit 0", async () => {
  const run = await startWithPrompt(runner(), request("lines 500 30"));
  const lines = await readText(run);
  const exit = await run.exit;
  assert.equal(exit.code, 0);
  assert.equal(exit.signal, null);
  assert.equal(lines.length, 502);
  assert.match(lines[0], /"subtype":"init"/);
  lines.slice(1, 501).forEach((line, index) => assert.equal(JSON.parse(line).seq, index + 1));
  await waitGroupGone(run.pid);
});

test("DenoCommandCliRunner runs in cwd with the prompt on stdin, never as an argument", async () => {
  const cwd = await Deno.makeTempDir();
  try {
    const run = await startWithPrompt(runner(), request("echo --help", { cwd, model: "--help" }));
    const lines = await readText(run);
    await run.exit;
    assert.equal(JSON.parse(lines[0]).cwd, await Deno.realPath(cwd));
    const argc = JSON.parse(lines[1]).argc;
    const argv = lines.slice(2, 2 + argc).map((line) =>
      decoder.decode(Uint8Array.from(atob(line), (c) => c.charCodeAt(0)))
    );
    assert.deepEqual(argv, [
      "-p",
      "--input-format=stream-json",
      "--output-format=stream-json",
      "--verbose",
      "--model=--help",
    ]);
    assert.equal(echoedPrompt(lines[2 + argc]), "echo --help");
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

test("stop() sends SIGINT first: the CLI prints its interrupted turn and exits 0", async () => {
  const run = await startWithPrompt(runner(), request("slow 100 0.1"));
  await run.readStdout();
  await new Promise((resolve) => setTimeout(resolve, 300));
  run.stop();
  run.stop(); // idempotent
  const rest: string[] = [];
  for (let chunk = await run.readStdout(); chunk; chunk = await run.readStdout()) {
    rest.push(decoder.decode(chunk));
  }
  const exit = await run.exit;
  assert.equal(exit.code, 0);
  assert.match(rest.join(""), /Request interrupted by user/);
  assert.match(rest.join(""), /"type":"result"/);
  await waitGroupGone(run.pid);
});

test("stop() escalates to SIGTERM and SIGKILL for a CLI that ignores SIGINT and SIGTERM", async () => {
  const run = await startWithPrompt(runner({ graceMs: 200, killAfterMs: 200 }), request("ignore-signals"));
  await run.readStdout();
  run.stop();
  const exit = await run.exit;
  assert.equal(exit.signal, "SIGKILL");
  assert.equal(exit.code, null);
  while (await run.readStdout()) { /* drain */ }
  await waitGroupGone(run.pid);
});

test("kill() ends the CLI and its process group at once", async () => {
  const run = await startWithPrompt(runner(), request("ignore-signals"));
  await run.readStdout();
  run.kill();
  assert.equal((await run.exit).signal, "SIGKILL");
  while (await run.readStdout()) { /* drain */ }
  await waitGroupGone(run.pid);
});

test("a CLI that exits 1 reports its code and the tail of its stderr", async () => {
  const run = await startWithPrompt(runner(), request("exit1"));
  await readText(run);
  const exit = await run.exit;
  assert.equal(exit.code, 1);
  assert.match(exit.stderrTail, /fatal: something went wrong/);
});

test("a 5 MB line arrives whole", async () => {
  const run = await startWithPrompt(runner(), request("bigline 5000000"));
  const lines = await readLines(run);
  await run.exit;
  const big = lines[1];
  assert.equal(big.length, 5_000_000 + '{"type":"assistant","text":""}'.length);
  assert.equal(JSON.parse(decoder.decode(big)).text.length, 5_000_000);
});

test("UTF-8 characters split across writes arrive byte for byte", async () => {
  const run = await startWithPrompt(runner(), request("utf8split"));
  const lines = await readLines(run);
  await run.exit;
  assert.deepEqual(lines[1], new TextEncoder().encode('{"text":"café €"}'));
});

test("50 MB of stderr does not stall the CLI; the last 64 KiB are kept", async () => {
  const run = await startWithPrompt(runner(), request("stderr-flood 50"));
  const lines = await readText(run);
  const exit = await run.exit;
  assert.equal(exit.code, 0);
  assert.match(lines.at(-1)!, /"type":"result"/);
  assert.equal(new TextEncoder().encode(exit.stderrTail).length, STDERR_TAIL_BYTES);
  assert.ok(exit.stderrTail.endsWith("the end of stderr\n"));
});

test("a grandchild that keeps stdout open is killed with the group when the CLI exits", async () => {
  const run = await startWithPrompt(runner(), request("grandchild"));
  const lines = await readText(run); // ends only once every writer of the pipe is gone
  await run.exit;
  const grandchild = lines.map((line) => JSON.parse(line)).find((line) => line.type === "grandchild");
  assert.ok(grandchild, "the fake printed its grandchild's pid");
  await waitGroupGone(run.pid);
  assert.deepEqual(groupMembers(run.pid), []);
});

test("a missing or non-executable CLI is a CliUnavailableError naming the path", async () => {
  await assert.rejects(
    runner({ claudePath: "/nonexistent/claude" }).start(request("x")),
    (error: unknown) => {
      assert.ok(error instanceof CliUnavailableError);
      assert.match(error.message, /\/nonexistent\/claude/);
      return true;
    },
  );
  const file = await Deno.makeTempFile();
  try {
    await Deno.chmod(file, 0o644);
    await assert.rejects(runner({ claudePath: file }).start(request("x")), CliUnavailableError);
  } finally {
    await Deno.remove(file);
  }
});

test("a 300 KB prompt reaches the CLI whole on stdin", async () => {
  const prompt = "echo " + "z".repeat(300_000);
  const run = await startWithPrompt(runner(), request(prompt));
  const lines = await readText(run);
  await run.exit;
  const argc = JSON.parse(lines[1]).argc;
  assert.equal(echoedPrompt(lines[2 + argc]), prompt);
});

test("options too large together for one command line are an InvalidFieldError, not a 503", async () => {
  // 40 values of 100 KB: each fits one argument, together they pass the kernel's limit (E2BIG).
  const big = Array.from({ length: 40 }, (_, index) => `${index}`.padEnd(100_000, "x"));
  await assert.rejects(runner().start(request("x", { allowed_tools: big })), InvalidFieldError);
});

test("readStdout() reuses its buffer: a chunk is valid until the next read", async () => {
  const run = await startWithPrompt(runner(), request("slow 3 0.05"));
  const first = (await run.readStdout())!;
  assert.ok(first.length > 0);
  const second = await run.readStdout();
  assert.ok(second && second.length > 0);
  // The next read took the first chunk's memory (detaching it): nothing stale can be read through it.
  assert.equal(first.length, 0);
  while (await run.readStdout()) { /* drain */ }
  await run.exit;
});
