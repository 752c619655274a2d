import assert from "node:assert/strict";
import { conversationKey, transcriptPrompt } from "../../application/conversation_turns.ts";
import { Conversations } from "../../application/conversations.ts";
import { silentLogger } from "../../application/logger.ts";
import { FakeScratchDirectories } from "../support/fake_scratch_directories.ts";

function conversations(maxEntries = 10) {
  const scratch = new FakeScratchDirectories();
  return { memory: new Conversations({ maxEntries, scratch, logger: silentLogger }), scratch };
}

/** Lets the removals the memory started settle. */
const settled = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("conversationKey() ignores the white space around each text, and nothing else", async () => {
  const key = await conversationKey([{ role: "user", text: "hi" }, { role: "assistant", text: "hello\n" }]);
  assert.match(key, /^[0-9a-f]{64}$/);
  assert.equal(
    key,
    await conversationKey([{ role: "user", text: " hi" }, { role: "assistant", text: "hello" }]),
  );
  assert.notEqual(
    key,
    await conversationKey([{ role: "user", text: "hi" }, { role: "assistant", text: "hell o" }]),
  );
  assert.notEqual(
    key,
    await conversationKey([{ role: "assistant", text: "hi" }, { role: "user", text: "hello" }]),
  );
});

Deno.test("transcriptPrompt() gives the earlier turns as a transcript and ends with the new message", () => {
  const prompt = transcriptPrompt([
    { role: "user", text: "one" },
    { role: "assistant", text: "two" },
    { role: "user", text: "three" },
  ]);
  assert.match(
    prompt,
    /<transcript>\n<user>\none\n<\/user>\n<assistant>\ntwo\n<\/assistant>\n<\/transcript>/,
  );
  assert.ok(prompt.endsWith("\n\nthree"));
});

Deno.test("Conversations resumes only the newest state of a session, and still finds the older ones", () => {
  const { memory } = conversations();
  memory.remember("k1", { sessionId: "s", cwd: "/work", scratch: false });
  assert.deepEqual(memory.find("k1"), { sessionId: "s", cwd: "/work", scratch: false, resumable: true });
  memory.remember("k2", { sessionId: "s", cwd: "/work", scratch: false });
  assert.equal(memory.find("k1")?.resumable, false, "the session moved on");
  assert.equal(memory.find("k2")?.resumable, true);
  assert.equal(memory.size, 2);
  assert.equal(memory.stateOf("s")?.cwd, "/work");
  assert.equal(memory.stateOf("other"), undefined);
});

Deno.test("Conversations forgets the least recently used beyond its bound", () => {
  const { memory } = conversations(2);
  memory.remember("a", { sessionId: "sa", cwd: "/work", scratch: false });
  memory.remember("b", { sessionId: "sb", cwd: "/work", scratch: false });
  assert.ok(memory.find("a"), "a is used: b is now the oldest");
  memory.remember("c", { sessionId: "sc", cwd: "/work", scratch: false });
  assert.ok(memory.find("a"));
  assert.equal(memory.find("b"), undefined);
  assert.ok(memory.find("c"));
});

Deno.test("Conversations removes a scratch directory when nothing holds it any more", async () => {
  const { memory, scratch } = conversations(1);
  const dir = await memory.newScratch();
  memory.remember("k1", { sessionId: "s1", cwd: dir, scratch: true });
  memory.release(dir);
  await settled();
  assert.ok(scratch.live.has(dir), "the remembered state holds it");
  memory.hold(dir);
  memory.remember("k2", { sessionId: "s2", cwd: "/work", scratch: false });
  await settled();
  assert.ok(scratch.live.has(dir), "a running chat holds it after the state is forgotten");
  memory.release(dir);
  await settled();
  assert.deepEqual(scratch.removed, [dir]);
});

Deno.test("Conversations.close() removes every scratch directory and remembers nothing after", async () => {
  const { memory, scratch } = conversations();
  const dir = await memory.newScratch();
  memory.remember("k", { sessionId: "s", cwd: dir, scratch: true });
  await memory.close();
  assert.deepEqual(scratch.removed, [dir]);
  memory.remember("k2", { sessionId: "s2", cwd: "/work", scratch: false });
  assert.equal(memory.size, 0);
});

Deno.test("Conversations.forgetSession() makes a session not resumable; its state and directory stay", async () => {
  const { memory, scratch } = conversations();
  const dir = await memory.newScratch();
  memory.remember("k", { sessionId: "s", cwd: dir, scratch: true });
  memory.release(dir);
  memory.forgetSession("s");
  memory.forgetSession("unknown");
  await settled();
  assert.deepEqual(memory.find("k"), { sessionId: "s", cwd: dir, scratch: true, resumable: false });
  assert.equal(memory.stateOf("s"), undefined);
  assert.deepEqual(scratch.removed, []);
});
