import assert from "node:assert/strict";
import { privateFakeCli } from "../../testkit/processes.ts";
import { SERVER_AUTH, spawnServer } from "../../testkit/server_process.ts";
import { parseSse } from "../../testkit/sse_client.ts";
import { within } from "../../testkit/wait_for.ts";

Deno.test("a symlink re-pointed outside the roots while its chat waits for a slot does not move the chat", async () => {
  const root = await Deno.makeTempDir({ prefix: "toctou-" });
  const inside = `${root}/allowed/project`;
  const outside = `${root}/elsewhere`;
  await Deno.mkdir(inside, { recursive: true });
  await Deno.mkdir(outside);
  const link = `${root}/allowed/link`;
  await Deno.symlink(inside, link);
  const cli = await privateFakeCli(root);
  const server = await spawnServer({
    CLAUDE_PATH: cli,
    ALLOWED_CWD_ROOTS: `${root}/allowed`,
    MAX_CONCURRENT: "1",
  });
  const post = (prompt: string, cwd: string) =>
    fetch(`${server.url}/chat`, {
      method: "POST",
      headers: { ...SERVER_AUTH, "Content-Type": "application/json" },
      body: JSON.stringify({ prompt, cwd }),
    });
  try {
    // The one slot is taken, so the next chat is checked now and waits in the queue.
    const holder = await post("hang", inside);
    const queued = await post("lines 1", link);
    assert.equal(queued.status, 200);
    // While it waits, the link is pointed outside the roots.
    await Deno.remove(link);
    await Deno.symlink(outside, link);
    const holderId = holder.headers.get("X-Process-ID");
    await fetch(`${server.url}/chat/${holderId}`, { method: "DELETE", headers: SERVER_AUTH }).then((r) =>
      r.body?.cancel()
    );
    await holder.body?.cancel();
    const events = parseSse(await within(queued.text(), 30_000, "the queued chat to run"));
    const init = JSON.parse(events.find((event) => event.data.includes('"subtype":"init"'))!.data);
    assert.equal(
      init.cwd,
      await Deno.realPath(inside),
      "the CLI ran where the policy checked, not where the link points now",
    );
  } finally {
    await server.stop();
    await Deno.remove(root, { recursive: true });
  }
});
