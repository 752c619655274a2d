import assert from "node:assert/strict";
import { createListProcesses } from "../../application/list_processes.ts";
import type { ManagedProcess, ProcessStatus, StopReason } from "../../domain/managed_process.ts";
import { WatchedChats } from "../../application/watched_chats.ts";
import { encodeBatch } from "../../interface/sse_frame.ts";
import { FakeClock } from "../support/fake_clock.ts";
import { InMemoryProcessRepository } from "../../infrastructure/in_memory_process_repository.ts";

/** A {@link ManagedProcess} with the fields the test gives it. */
class FakeProcess implements ManagedProcess {
  readonly interactive = false;
  readonly turnRunning = false;
  readonly pendingPermissions = 0;
  stopReason: StopReason | null = null;
  readonly finished = Promise.resolve();

  constructor(
    readonly id: string,
    readonly cwd: string,
    readonly model: string | null,
    readonly startedAt: Date,
    public sessionId: string | null,
    public status: ProcessStatus,
  ) {}

  stop(): void {}

  kill(): void {}
}

function setup(...processes: FakeProcess[]) {
  const repository = new InMemoryProcessRepository();
  processes.forEach((process) => repository.add(process));
  const watched = new WatchedChats({
    replayBytes: 1024,
    retainFinishedMs: 1000,
    retainFinishedMax: 10,
    clock: new FakeClock(),
    newToken: () => "t",
    encode: encodeBatch,
  });
  return { listProcesses: createListProcesses({ processes: repository, watched }), repository };
}

Deno.test("listProcesses() gives an empty list and a count of 0 when nothing runs", () => {
  const { listProcesses } = setup();
  assert.deepEqual(listProcesses(), { processes: [], count: 0 });
});

Deno.test("listProcesses() maps each process to its API fields", () => {
  const { listProcesses } = setup(
    new FakeProcess(
      "p1",
      "/work/a",
      "claude-sonnet-4-5",
      new Date("2024-01-01T12:00:00.000Z"),
      "s-1",
      "running",
    ),
  );
  assert.deepEqual(listProcesses(), {
    processes: [{
      process_id: "p1",
      cwd: "/work/a",
      model: "claude-sonnet-4-5",
      started_at: "2024-01-01T12:00:00Z",
      session_id: "s-1",
      status: "running",
      watchers: 0,
      last_event_id: 0,
      interactive: false,
      turn_running: false,
      pending_permissions: 0,
    }],
    count: 1,
  });
});

Deno.test("listProcesses() gives null for a missing model and session id", () => {
  const { listProcesses } = setup(new FakeProcess("p1", "/w", null, new Date(0), null, "queued"));
  const [view] = listProcesses().processes;
  assert.equal(view.model, null);
  assert.equal(view.session_id, null);
});

Deno.test("listProcesses() writes started_at as ISO 8601 UTC without milliseconds", () => {
  const { listProcesses } = setup(
    new FakeProcess("p1", "/w", null, new Date("2024-01-01T12:00:00.999Z"), null, "running"),
    new FakeProcess("p2", "/w", null, new Date(Date.UTC(2030, 11, 31, 23, 59, 58, 1)), null, "running"),
    new FakeProcess("p3", "/w", null, new Date("2024-06-15T08:30:00+02:00"), null, "running"),
  );
  const startedAt = listProcesses().processes.map((view) => view.started_at);
  assert.deepEqual(startedAt, ["2024-01-01T12:00:00Z", "2030-12-31T23:59:58Z", "2024-06-15T06:30:00Z"]);
  for (const value of startedAt) assert.match(value, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
});

Deno.test("listProcesses() includes each process's status", () => {
  const { listProcesses } = setup(
    new FakeProcess("p1", "/w", null, new Date(0), null, "queued"),
    new FakeProcess("p2", "/w", null, new Date(0), null, "running"),
    new FakeProcess("p3", "/w", null, new Date(0), null, "stopping"),
  );
  assert.deepEqual(listProcesses().processes.map((view) => view.status), ["queued", "running", "stopping"]);
});

Deno.test("listProcesses() keeps the repository's order and counts every process", () => {
  const { listProcesses } = setup(
    new FakeProcess("b", "/w", null, new Date(1000), null, "running"),
    new FakeProcess("a", "/w", null, new Date(2000), null, "running"),
    new FakeProcess("c", "/w", null, new Date(3000), null, "running"),
  );
  const result = listProcesses();
  assert.deepEqual(result.processes.map((view) => view.process_id), ["b", "a", "c"]);
  assert.equal(result.count, 3);
});

Deno.test("listProcesses() shows the current session id and status, not those at start", () => {
  const process = new FakeProcess("p1", "/w", null, new Date(0), null, "queued");
  const { listProcesses } = setup(process);
  assert.equal(listProcesses().processes[0].session_id, null);
  process.sessionId = "s-later";
  process.status = "stopping";
  const [view] = listProcesses().processes;
  assert.equal(view.session_id, "s-later");
  assert.equal(view.status, "stopping");
});

Deno.test("listProcesses() leaves out a removed process", () => {
  const { listProcesses, repository } = setup(
    new FakeProcess("p1", "/w", null, new Date(0), null, "running"),
    new FakeProcess("p2", "/w", null, new Date(0), null, "running"),
  );
  repository.remove("p1");
  assert.deepEqual(listProcesses().processes.map((view) => view.process_id), ["p2"]);
  assert.equal(listProcesses().count, 1);
});
