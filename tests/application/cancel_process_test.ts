import assert from "node:assert/strict";
import { createCancelProcess } from "../../application/cancel_process.ts";
import { DomainError, ProcessNotFoundError } from "../../domain/errors.ts";
import type { ManagedProcess, ProcessStatus, StopReason } from "../../domain/managed_process.ts";
import { InMemoryProcessRepository } from "../../infrastructure/in_memory_process_repository.ts";

/** A {@link ManagedProcess} that records how it was asked to stop. */
class FakeProcess implements ManagedProcess {
  readonly interactive = false;
  readonly turnRunning = false;
  readonly pendingPermissions = 0;
  readonly cwd = "/work";
  readonly model = null;
  readonly startedAt = new Date("2024-01-01T12:00:00Z");
  sessionId: string | null = null;
  status: ProcessStatus = "running";
  stopReason: StopReason | null = null;
  stops: StopReason[] = [];
  kills = 0;
  readonly finished = Promise.resolve();

  constructor(readonly id: string) {}

  stop(reason: StopReason): void {
    this.stops.push(reason);
  }

  kill(): void {
    this.kills++;
  }
}

function setup(...ids: string[]) {
  const processes = new InMemoryProcessRepository();
  const fakes = ids.map((id) => new FakeProcess(id));
  fakes.forEach((fake) => processes.add(fake));
  return { cancelProcess: createCancelProcess({ processes }), fakes, processes };
}

Deno.test("cancelProcess() asks the process to stop as cancelled", () => {
  const { cancelProcess, fakes } = setup("p1");
  cancelProcess("p1");
  assert.deepEqual(fakes[0].stops, ["cancelled"]);
  assert.equal(fakes[0].kills, 0);
});

Deno.test("cancelProcess() returns the cancelled status and the process id", () => {
  const { cancelProcess } = setup("p1");
  assert.deepEqual(cancelProcess("p1"), { status: "cancelled", process_id: "p1" });
});

Deno.test("cancelProcess() stops only the process with that id", () => {
  const { cancelProcess, fakes } = setup("p1", "p2", "p3");
  cancelProcess("p2");
  assert.deepEqual(fakes.map((fake) => fake.stops), [[], ["cancelled"], []]);
});

Deno.test("cancelProcess() leaves removing the process to the process itself", () => {
  const { cancelProcess, processes } = setup("p1");
  cancelProcess("p1");
  assert.ok(processes.get("p1"));
});

Deno.test("cancelProcess() asks again each time it is called for a process still listed", () => {
  const { cancelProcess, fakes } = setup("p1");
  cancelProcess("p1");
  cancelProcess("p1");
  assert.deepEqual(fakes[0].stops, ["cancelled", "cancelled"]);
});

Deno.test("cancelProcess() throws ProcessNotFoundError for an unknown id", () => {
  const { cancelProcess, fakes } = setup("p1");
  assert.throws(() => cancelProcess("nope"), (error: unknown) => {
    assert.ok(error instanceof ProcessNotFoundError);
    assert.ok(error instanceof DomainError);
    assert.equal(error.code, "process_not_found");
    assert.equal(error.processId, "nope");
    assert.ok(error.message.includes('"nope"'), error.message);
    return true;
  });
  assert.deepEqual(fakes[0].stops, []);
});

Deno.test("cancelProcess() throws ProcessNotFoundError for a process that was removed", () => {
  const { cancelProcess, processes } = setup("p1");
  processes.remove("p1");
  assert.throws(() => cancelProcess("p1"), ProcessNotFoundError);
});
