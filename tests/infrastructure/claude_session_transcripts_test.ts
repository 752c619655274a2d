import assert from "node:assert/strict";
import { ClaudeSessionTranscripts, projectDirName } from "../../infrastructure/claude_session_transcripts.ts";

const ID = "5ee48994-729c-410c-b6fd-ffd5178fb4c3";

/** Lines as the CLI 2.1.328 writes them (abridged): the first ones carry no `cwd`. */
function transcript(cwd: string, prompt = "Say hello"): string {
  return [
    { type: "queue-operation", operation: "enqueue", sessionId: ID, content: prompt },
    { parentUuid: null, type: "user", message: { role: "user", content: prompt }, cwd, sessionId: ID },
    { type: "attachment", cwd, sessionId: ID },
  ].map((line) => JSON.stringify(line)).join("\n") + "\n";
}

/** A temp projects directory with `files` (path under it → content); removed after `body`. */
async function withProjects(
  files: Record<string, string>,
  body: (store: ClaudeSessionTranscripts, dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "cc2api-projects-" });
  try {
    for (const [path, content] of Object.entries(files)) {
      await Deno.mkdir(`${dir}/${path.split("/").slice(0, -1).join("/")}`, { recursive: true });
      await Deno.writeTextFile(`${dir}/${path}`, content);
    }
    await body(new ClaudeSessionTranscripts({ projectsDir: dir }), dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("projectDirName() names a project directory as the CLI does", () => {
  assert.equal(projectDirName("/tmp/cc2api-e2e_x/cwd.1"), "-tmp-cc2api-e2e-x-cwd-1");
});

Deno.test("ClaudeSessionTranscripts.cwdsOf() reads the cwd a session's transcript records, in any project", async () => {
  await withProjects({ [`-srv-a/${ID}.jsonl`]: transcript("/srv/a") }, async (store) => {
    assert.deepEqual(await store.cwdsOf(ID), ["/srv/a"]);
    assert.deepEqual(await store.cwdsOf("0b6f5b8e-6d1c-4b8f-9a43-2c9a0d9b8f11"), []);
    assert.deepEqual(await store.cwdsOf("../../etc/passwd"), []);
  });
});

Deno.test("ClaudeSessionTranscripts.cwdsOf() skips a huge line unparsed and finds the cwd after it", async () => {
  const huge = transcript("/srv/big", "x".repeat(3 * 1024 * 1024));
  await withProjects({ [`-srv-big/${ID}.jsonl`]: huge }, async (store) => {
    assert.deepEqual(await store.cwdsOf(ID), ["/srv/big"]);
  });
});

Deno.test("ClaudeSessionTranscripts.cwdsOf() gives null for a transcript that records no cwd", async () => {
  await withProjects({ [`-x/${ID}.jsonl`]: '{"type":"summary"}\nnot json\n' }, async (store) => {
    assert.deepEqual(await store.cwdsOf(ID), [null]);
  });
});

Deno.test("ClaudeSessionTranscripts.cwdsOf() finds nothing when there is no projects directory", async () => {
  const store = new ClaudeSessionTranscripts({ projectsDir: "/nonexistent/projects" });
  assert.deepEqual(await store.cwdsOf(ID), []);
  assert.equal(await store.latestIn("/srv/a"), null);
});

Deno.test("ClaudeSessionTranscripts.latestIn() gives the most recently written session of a directory", async () => {
  const older = "11111111-1111-4111-8111-111111111111";
  const files = {
    [`-srv-a/${older}.jsonl`]: transcript("/srv/a"),
    [`-srv-a/${ID}.jsonl`]: transcript("/srv/a"),
  };
  await withProjects(files, async (store, dir) => {
    await Deno.utime(`${dir}/-srv-a/${older}.jsonl`, 1000, 1000);
    assert.equal(await store.latestIn("/srv/a"), ID);
    await Deno.utime(`${dir}/-srv-a/${ID}.jsonl`, 500, 500);
    assert.equal(await store.latestIn("/srv/a"), older);
    assert.equal(await store.latestIn("/srv/b"), null);
  });
});
