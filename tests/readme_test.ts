import assert from "node:assert/strict";
import { FAKE_CLI } from "../testkit/processes.ts";
import { SERVER_PASSWORD, SERVER_USER, spawnServer } from "../testkit/server_process.ts";
import { parseSse } from "../testkit/sse_client.ts";

const README = new URL("../README.md", import.meta.url);

/** The README's bash blocks that call the API with curl. */
function curlExamples(markdown: string): string[] {
  return [...markdown.matchAll(/```bash\n([\s\S]*?)```/g)]
    .map((match) => match[1])
    .filter((block) => block.includes("curl") && block.includes("http://localhost:9876"));
}

Deno.test("the README's curl examples work against a live server", async () => {
  const examples = curlExamples(await Deno.readTextFile(README));
  assert.ok(examples.length >= 6, `found ${examples.length} curl examples`);
  const project = await Deno.makeTempDir({ prefix: "readme-" });
  const server = await spawnServer({ CLAUDE_PATH: FAKE_CLI });
  try {
    const outputs: string[] = [];
    for (const example of examples) {
      const script = example
        .replaceAll("http://localhost:9876", server.url)
        .replaceAll("admin:password", `${SERVER_USER}:${SERVER_PASSWORD}`)
        .replaceAll("/home/user/projects/myapp", project);
      const output = await new Deno.Command("bash", { args: ["-c", `set -e\n${script}`], stdout: "piped" })
        .output();
      const text = new TextDecoder().decode(output.stdout);
      assert.equal(output.code, 0, `example failed:\n${script}`);
      outputs.push(text);
    }
    const byPath = (path: string) => outputs.filter((_, index) => examples[index].includes(path));
    const [health] = byPath("/health");
    assert.equal(JSON.parse(health).status, "ok");
    for (const chat of byPath("/chat \\")) {
      const events = parseSse(chat);
      assert.equal(events.at(-1)?.event, "done", chat);
      assert.match(events[0].data, /"subtype":"init"/);
    }
    const [cancel] = byPath("-X DELETE");
    assert.equal(JSON.parse(cancel).error.code, "process_not_found");
    const [processes] = byPath("/processes");
    assert.deepEqual(JSON.parse(processes), { processes: [], count: 0 });
    const [metrics] = byPath("/metrics");
    assert.match(metrics, /claudecode2api_chats_started_total/);
  } finally {
    await server.stop();
    await Deno.remove(project, { recursive: true });
  }
});
