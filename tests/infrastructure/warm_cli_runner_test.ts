import assert from "node:assert/strict";
import { silentLogger } from "../../application/logger.ts";
import type { ChatRequest } from "../../domain/chat_request.ts";
import type { CliRun } from "../../domain/cli_runner.ts";
import { WarmCliRunner, type WarmCliRunnerOptions } from "../../infrastructure/warm_cli_runner.ts";
import { within } from "../../testkit/wait_for.ts";
import { FakeClock } from "../support/fake_clock.ts";
import { FakeCliRunner, type FakeRun } from "../support/fakes.ts";

const IDLE_MS = 60_000;
const RETIRE_KILL_MS = 10_000;

/** A pool over fake runs; `directories` maps a cwd to its current identity (default: the path itself). */
function pool(options: Partial<WarmCliRunnerOptions> & { directories?: Map<string, string> } = {}) {
  const runner = new FakeCliRunner();
  const clock = new FakeClock();
  const directories = options.directories ?? new Map<string, string>();
  const warm = new WarmCliRunner({
    runner,
    perConfig: 1,
    max: 4,
    idleMs: IDLE_MS,
    clock,
    logger: silentLogger,
    retireKillMs: RETIRE_KILL_MS,
    directoryIdentity: (path) => directories.get(path) ?? path,
    ...options,
  });
  return { runner, clock, warm, directories };
}

function request(extra: Partial<ChatRequest> = {}): ChatRequest {
  return { prompt: "hello", cwd: "/work/project", permission_mode: "acceptEdits", ...extra };
}

/** Lets the pool's promise callbacks run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

/** A chat's CLI printing its first line (which is when the pool tops up). */
async function firstOutput(run: CliRun, fake: FakeRun): Promise<void> {
  fake.write('{"type":"system","subtype":"init"}\n');
  assert.notEqual(await within(run.readStdout(), 2000, "the first stdout chunk"), null);
  await settle();
}

/** Ends a chat's fake run and reads its stdout to the end, as a chat does. */
async function finish(run: CliRun, fake: FakeRun): Promise<void> {
  fake.end();
  while (await within(run.readStdout(), 2000, "stdout to end") !== null) {
    // drained
  }
}

Deno.test("WarmCliRunner starts a new configuration cold, then keeps a spare of it that the next chat takes", async () => {
  const { runner, warm } = pool();
  const first = await warm.start(request());
  assert.equal(runner.runs.length, 1, "the first chat starts cold");
  assert.equal(warm.stats().spares, 0, "no spare before the chat's CLI has printed");
  await firstOutput(first, runner.runs[0]);
  assert.equal(runner.runs.length, 2, "one spare started after the first output");
  const spare = runner.runs[1];
  assert.equal(spare.request.cwd, "/work/project");
  assert.equal(spare.request.prompt, "", "a spare is started without the prompt");
  assert.equal(spare.reads, 0, "nobody reads a spare's stdout");
  assert.deepEqual(spare.sent, [], "nothing is written to a spare");
  assert.deepEqual({ ...warm.stats(), hits: 0, misses: 0 }, {
    spares: 1,
    configs: 1,
    perConfig: 1,
    max: 4,
    hits: 0,
    misses: 0,
    died: 0,
    retired: 0,
  });

  const second = await warm.start(request({ prompt: "another prompt" }));
  assert.equal(second.pid, spare.pid, "the matching chat got the spare");
  assert.equal(runner.runs.length, 2, "nothing started cold");
  assert.equal(warm.stats().spares, 0);
  assert.equal(warm.stats().hits, 1);
  assert.equal(warm.stats().misses, 1);
  // What the spare printed before it was taken is the chat's: nothing lost, in order.
  spare.write("line 1\n");
  spare.write("line 2\n");
  assert.equal(new TextDecoder().decode((await second.readStdout())!), "line 1\n");
  await settle();
  assert.equal(runner.runs.length, 3, "the taken spare is replaced after its first output");
  assert.equal(new TextDecoder().decode((await second.readStdout())!), "line 2\n");
  second.send('{"type":"user"}');
  assert.deepEqual(spare.sent, ['{"type":"user"}'], "the chat writes to the spare's stdin");

  await finish(first, runner.runs[0]);
  await finish(second, spare);
  runner.runs[2].end();
  await warm.close();
});

Deno.test("WarmCliRunner starts a chat of another configuration cold and leaves the spare waiting", async () => {
  const { runner, warm } = pool();
  const first = await warm.start(request());
  await firstOutput(first, runner.runs[0]);
  const spare = runner.runs[1];
  for (
    const other of [
      request({ model: "sonnet" }),
      request({ cwd: "/work/other" }),
      request({ permission_mode: "plan" }),
      request({ append_system_prompt: "Be brief." }),
    ]
  ) {
    const before = runner.runs.length;
    const run = await warm.start(other);
    assert.notEqual(run.pid, spare.pid, JSON.stringify(other));
    assert.equal(runner.runs.length, before + 1, "started cold");
    assert.deepEqual(runner.runs[before].request, other, "with the chat's own request");
  }
  assert.ok(spare.stops === 0 && spare.kills === 0 && !spare.inputEnded, "the spare still waits");
  for (const run of runner.runs) run.end();
  await warm.close();
});

Deno.test("WarmCliRunner starts resumed, continued, forked and interactive chats cold and keeps no spare for them", async () => {
  const { runner, warm } = pool();
  const first = await warm.start(request());
  await firstOutput(first, runner.runs[0]);
  const spare = runner.runs[1];
  for (
    const cold of [
      request({ session_id: "0b6f5b8e-6d1c-4b8f-9a43-2c9a0d9b8f11" }),
      request({ continue: true }),
      request({ session_id: "0b6f5b8e-6d1c-4b8f-9a43-2c9a0d9b8f11", fork_session: true }),
      request({ interactive: true, new_session_id: "7a1e0c2d-3333-4444-8555-966677778888" }),
    ]
  ) {
    const before = runner.runs.length;
    const run = await warm.start(cold);
    assert.notEqual(run.pid, spare.pid);
    assert.equal(runner.runs.length, before + 1);
    runner.runs[before].write("x\n");
    await run.readStdout();
    await settle();
    assert.equal(runner.runs.length, before + 1, "no spare is made for it");
  }
  assert.equal(warm.stats().misses, 1, "only the first chat could have been warm");
  for (const run of runner.runs) run.end();
  await warm.close();
});

Deno.test("WarmCliRunner retires a spare nobody took within the idle time, and the next chat starts cold", async () => {
  const { runner, clock, warm } = pool();
  const first = await warm.start(request());
  await firstOutput(first, runner.runs[0]);
  const spare = runner.runs[1];
  clock.advance(IDLE_MS - 1);
  assert.equal(warm.stats().spares, 1, "still waiting just before the idle time");
  assert.equal(spare.inputEnded, false);
  clock.advance(1);
  assert.equal(warm.stats().spares, 0);
  assert.equal(warm.stats().retired, 1);
  assert.equal(spare.inputEnded, true, "its input is closed, which ends an idle CLI");
  // This fake does not exit on a closed input: it is killed after the grace.
  clock.advance(RETIRE_KILL_MS);
  assert.equal(spare.kills, 1);
  await settle();
  assert.equal(warm.stats().configs, 0, "the configuration is forgotten");
  const next = await warm.start(request());
  assert.notEqual(next.pid, spare.pid);
  assert.equal(runner.runs.length, 3, "started cold");
  assert.equal(warm.stats().misses, 2);
  for (const run of runner.runs) run.end();
  await warm.close();
});

Deno.test("WarmCliRunner never hands out a spare that exited while it waited; it starts a replacement", async () => {
  const { runner, warm } = pool();
  const first = await warm.start(request());
  await firstOutput(first, runner.runs[0]);
  const dead = runner.runs[1];
  dead.write("something it printed\n");
  dead.end({ code: null, signal: "SIGKILL" });
  await settle();
  assert.equal(warm.stats().died, 1);
  assert.equal(runner.runs.length, 3, "a replacement was started");
  const replacement = runner.runs[2];
  assert.equal(warm.stats().spares, 1);
  const next = await warm.start(request());
  assert.equal(next.pid, replacement.pid, "the chat gets the replacement, not the dead spare");
  for (const run of runner.runs) run.end();
  await warm.close();
});

Deno.test("WarmCliRunner stops warming a configuration whose spares keep dying until a chat asks for it again", async () => {
  const { runner, warm } = pool();
  const first = await warm.start(request());
  await firstOutput(first, runner.runs[0]);
  runner.runs[1].end({ code: 1 });
  await settle();
  assert.equal(runner.runs.length, 3, "the first death is replaced");
  runner.runs[2].end({ code: 1 });
  await settle();
  assert.equal(runner.runs.length, 3, "the second is not");
  assert.equal(warm.stats().configs, 0);
  const next = await warm.start(request());
  assert.equal(runner.runs.length, 4, "the next chat starts cold");
  await firstOutput(next, runner.runs[3]);
  assert.equal(runner.runs.length, 5, "and warms its configuration again");
  for (const run of runner.runs) run.end();
  await warm.close();
});

Deno.test("WarmCliRunner keeps at most max spares, giving the least recently used configuration's up first", async () => {
  const { runner, warm } = pool({ perConfig: 1, max: 2 });
  const configs = ["/a", "/b", "/c"].map((cwd) => request({ cwd }));
  for (const config of configs) {
    const run = await warm.start(config);
    await firstOutput(run, runner.runs.at(-1)!);
  }
  const spares = runner.runs.filter((run) => run.request.prompt === "");
  assert.deepEqual(spares.map((run) => run.request.cwd), ["/a", "/b", "/c"]);
  assert.equal(warm.stats().spares, 2);
  assert.equal(spares[0].inputEnded, true, "the spare of /a made room for /c");
  assert.equal(warm.stats().retired, 1);
  const b = await warm.start(configs[1]);
  assert.equal(b.pid, spares[1].pid, "/b is still warm");
  for (const run of runner.runs) run.end();
  await warm.close();
});

Deno.test("WarmCliRunner keeps up to perConfig spares of one configuration", async () => {
  const { runner, warm } = pool({ perConfig: 3, max: 4 });
  const first = await warm.start(request());
  await firstOutput(first, runner.runs[0]);
  assert.equal(warm.stats().spares, 3);
  const taken = [await warm.start(request()), await warm.start(request())];
  assert.deepEqual(taken.map((run) => run.pid), [runner.runs[1].pid, runner.runs[2].pid], "oldest first");
  for (const run of runner.runs) run.end();
  await warm.close();
});

Deno.test("WarmCliRunner does not hand out a spare whose working directory was replaced since it started", async () => {
  const directories = new Map([["/work/project", "dev:1"]]);
  const { runner, warm } = pool({ directories });
  const first = await warm.start(request());
  await firstOutput(first, runner.runs[0]);
  const spare = runner.runs[1];
  directories.set("/work/project", "dev:2");
  const next = await warm.start(request());
  assert.notEqual(next.pid, spare.pid);
  assert.equal(spare.inputEnded, true, "the stale spare leaves");
  for (const run of runner.runs) run.end();
  await warm.close();
});

Deno.test("WarmCliRunner.close ends every spare and starts no more; later chats start cold", async () => {
  const { runner, warm } = pool({ perConfig: 2 });
  const first = await warm.start(request());
  await firstOutput(first, runner.runs[0]);
  const spares = runner.runs.slice(1);
  assert.equal(spares.length, 2);
  // The fake spares exit when their input closes, as the real CLI does.
  for (const spare of spares) spare.endInput = () => spare.end();
  await within(warm.close(), 2000, "close to settle");
  assert.ok(spares.every((spare) => spare.exit !== undefined));
  assert.equal(warm.stats().spares, 0);
  const after = await warm.start(request());
  assert.equal(runner.runs.length, 4, "started cold");
  runner.runs[3].write("x\n");
  await after.readStdout();
  await settle();
  assert.equal(runner.runs.length, 4, "no spare after close");
  for (const run of runner.runs) run.end();
});

Deno.test("WarmCliRunner.kill kills every spare at once", async () => {
  const { runner, warm } = pool({ perConfig: 2 });
  const first = await warm.start(request());
  await firstOutput(first, runner.runs[0]);
  warm.kill();
  assert.deepEqual(runner.runs.slice(1).map((run) => run.kills), [1, 1]);
  runner.runs[0].end();
  await within(warm.close(), 2000, "close to settle");
});

Deno.test("WarmCliRunner with perConfig 0 passes every chat through cold", async () => {
  const { runner, warm } = pool({ perConfig: 0 });
  const run = await warm.start(request());
  assert.equal(run, runner.runs[0], "the runner's own run, unwrapped");
  runner.runs[0].write("x\n");
  await run.readStdout();
  await settle();
  assert.equal(runner.runs.length, 1);
  runner.runs[0].end();
  await warm.close();
});

Deno.test("WarmCliRunner forgets a configuration it found no room for", async () => {
  const { runner, warm } = pool({ perConfig: 1, max: 1 });
  // The runner hands out runs only when told: /a's spare stays "starting".
  const held = Promise.withResolvers<void>();
  const start = runner.start.bind(runner);
  let hold = false;
  runner.start = async (request) => {
    if (hold) await held.promise;
    return await start(request);
  };
  const a = await warm.start(request({ cwd: "/a" }));
  hold = true;
  await firstOutput(a, runner.runs[0]);
  hold = false;
  const b = await warm.start(request({ cwd: "/b" }));
  await firstOutput(b, runner.runs[1]);
  assert.equal(warm.stats().configs, 1, "/b found no room and is not kept; /a's spare is still starting");
  held.resolve();
  await settle();
  assert.equal(warm.stats().spares, 1);
  assert.equal(warm.stats().configs, 1);
  for (const run of runner.runs) run.end();
  await warm.close();
});
