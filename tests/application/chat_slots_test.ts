import assert from "node:assert/strict";
import { ChatSlots, QueueTimeoutError, type SlotLease } from "../../application/chat_slots.ts";
import { CapacityError } from "../../domain/errors.ts";
import { settle } from "../support/chat_events.ts";
import { FakeClock } from "../support/fake_clock.ts";

function setup(options: { maxConcurrent?: number; queueMax?: number; queueTimeoutMs?: number } = {}) {
  const clock = new FakeClock();
  const slots = new ChatSlots({ maxConcurrent: 1, queueMax: 2, queueTimeoutMs: 60_000, clock, ...options });
  return { clock, slots };
}

Deno.test("ChatSlots hands out leases up to maxConcurrent", () => {
  const { slots } = setup({ maxConcurrent: 2 });
  assert.ok(slots.tryAcquire());
  assert.ok(slots.tryAcquire());
  assert.equal(slots.tryAcquire(), null);
  assert.equal(slots.running, 2);
});

Deno.test("a lease released twice frees its slot once", () => {
  const { slots } = setup({ maxConcurrent: 2 });
  const first = slots.tryAcquire()!;
  slots.tryAcquire();
  first.release();
  first.release();
  assert.equal(slots.running, 1);
});

Deno.test("ChatSlots grants waiters in FIFO order, each a lease of its own", async () => {
  const { slots } = setup();
  const held = slots.tryAcquire()!;
  const order: string[] = [];
  const leases: SlotLease[] = [];
  for (const name of ["a", "b"]) {
    slots.enqueue().granted.then((lease) => {
      order.push(name);
      leases.push(lease);
    });
  }
  assert.equal(slots.queued, 2);
  held.release();
  await settle();
  assert.deepEqual(order, ["a"]);
  assert.equal(slots.running, 1);
  // A slot handed over stays counted: no gap another caller could take.
  assert.equal(slots.tryAcquire(), null);
  leases[0].release();
  leases[0].release();
  await settle();
  assert.deepEqual(order, ["a", "b"]);
  leases[1].release();
  assert.equal(slots.running, 0);
  assert.equal(slots.queued, 0);
});

Deno.test("a released slot goes to the longest waiter, not to the next caller", () => {
  const { slots } = setup({ maxConcurrent: 1 });
  const held = slots.tryAcquire()!;
  const ticket = slots.enqueue();
  held.release();
  assert.equal(slots.tryAcquire(), null);
  assert.equal(slots.running, 1);
  assert.equal(slots.queued, 0);
  ticket.release();
  assert.equal(slots.running, 0);
});

Deno.test("ChatSlots refuses a full queue with a CapacityError and a retry hint", () => {
  const { slots } = setup({ queueMax: 1, queueTimeoutMs: 60_000 });
  slots.tryAcquire();
  slots.enqueue();
  assert.throws(() => slots.enqueue(), (error: unknown) => {
    assert.ok(error instanceof CapacityError);
    assert.equal(error.retryAfterS, 15);
    assert.match(error.message, /all 1 chat slots are busy and the queue is full \(1 waiting\)/);
    return true;
  });
});

Deno.test("a ticket released before its turn leaves the queue and is never granted", async () => {
  const { slots } = setup();
  const held = slots.tryAcquire()!;
  const ticket = slots.enqueue();
  let granted = false;
  ticket.granted.then(() => granted = true);
  ticket.release();
  assert.equal(slots.queued, 0);
  held.release();
  await settle();
  assert.equal(granted, false);
  assert.equal(slots.running, 0);
});

Deno.test("a ticket released after its grant releases its lease", () => {
  const { slots } = setup();
  const held = slots.tryAcquire()!;
  const ticket = slots.enqueue();
  held.release();
  assert.equal(slots.running, 1);
  ticket.release();
  ticket.release();
  assert.equal(slots.running, 0);
});

Deno.test("a ticket that waits longer than queueTimeoutMs is rejected and leaves the queue", async () => {
  const { slots, clock } = setup({ queueTimeoutMs: 30_000 });
  slots.tryAcquire();
  const ticket = slots.enqueue();
  const outcome = ticket.granted.then(() => null, (error: unknown) => error);
  clock.advance(29_999);
  assert.equal(slots.queued, 1);
  clock.advance(1);
  const error = await outcome;
  assert.ok(error instanceof QueueTimeoutError);
  assert.equal(error.waitedMs, 30_000);
  assert.match(error.message, /within 30 s/);
  assert.equal(slots.queued, 0);
});

Deno.test("a granted ticket's timeout no longer fires", () => {
  const { slots, clock } = setup();
  const held = slots.tryAcquire()!;
  slots.enqueue();
  held.release();
  assert.equal(clock.pending, 0);
});

Deno.test("ChatSlots.assertRoom() refuses only when a chat asking now would be refused, and takes nothing", () => {
  const { slots } = setup({ maxConcurrent: 1, queueMax: 1 });
  slots.assertRoom();
  const lease = slots.tryAcquire()!;
  slots.assertRoom();
  slots.enqueue().granted.catch(() => {});
  assert.throws(() => slots.assertRoom(), CapacityError);
  assert.equal(slots.running, 1);
  assert.equal(slots.queued, 1);
  lease.release();
  slots.assertRoom();
});
