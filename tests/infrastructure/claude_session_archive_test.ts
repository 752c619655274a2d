import assert from "node:assert/strict";
import { ClaudeSessionArchive } from "../../infrastructure/claude_session_archive.ts";
import { MAX_RESULT_CHARS } from "../../infrastructure/transcript_entries.ts";

const A = "aaaaaaaa-0000-4000-8000-000000000001";
const B = "bbbbbbbb-0000-4000-8000-000000000002";
const C = "cccccccc-0000-4000-8000-000000000003";

const line = (value: unknown) => `${JSON.stringify(value)}\n`;
const user = (cwd: string, content: unknown, extra = {}) =>
  line({
    type: "user",
    cwd,
    timestamp: "2024-01-01T12:00:00.000Z",
    message: { role: "user", content },
    ...extra,
  });
const assistant = (cwd: string, id: string, content: unknown[]) =>
  line({
    type: "assistant",
    cwd,
    timestamp: "2024-01-01T12:00:01.000Z",
    message: { id, role: "assistant", content },
  });

async function withProjects(fn: (projects: string) => Promise<void>): Promise<void> {
  const projects = await Deno.makeTempDir({ prefix: "cc2api-archive-" });
  try {
    await fn(projects);
  } finally {
    await Deno.remove(projects, { recursive: true });
  }
}

async function write(
  projects: string,
  cwd: string,
  id: string,
  text: string,
  mtime: number,
): Promise<string> {
  const dir = `${projects}/${cwd.replace(/[^a-zA-Z0-9]/g, "-")}`;
  await Deno.mkdir(dir, { recursive: true });
  const path = `${dir}/${id}.jsonl`;
  await Deno.writeTextFile(path, text);
  await Deno.utime(path, mtime, mtime);
  return path;
}

Deno.test("ClaudeSessionArchive lists only the sessions recorded in the directory, newest first", async () => {
  await withProjects(async (projects) => {
    // "/p/a-b" and "/p/a/b" share one project directory; each session records its own cwd.
    await write(
      projects,
      "/p/a-b",
      A,
      user("/p/a-b", "first") + line({ type: "ai-title", aiTitle: "Made up" }),
      100,
    );
    await write(projects, "/p/a/b", B, user("/p/a/b", "not here"), 200);
    await write(
      projects,
      "/p/a-b",
      C,
      line({ type: "custom-title", customTitle: "Mine" }) + user("/p/a-b", "x"),
      300,
    );
    const archive = new ClaudeSessionArchive({ projectsDir: projects });
    const page = await archive.list("/p/a-b", { offset: 0, limit: 10 });
    assert.equal(page.total, 2);
    assert.deepEqual(page.sessions.map((s) => [s.session_id, s.title]), [[C, "Mine"], [A, "Made up"]]);
    assert.equal(page.sessions[1].last_activity_at, new Date(100_000).toISOString());
    assert.deepEqual(
      (await archive.list("/p/a-b", { offset: 1, limit: 1 })).sessions.map((s) => s.session_id),
      [A],
    );
    assert.equal((await archive.list("/nowhere", { offset: 0, limit: 10 })).total, 0);
  });
});

Deno.test("ClaudeSessionArchive reads a transcript: prompts, text, thinking, tool calls with clipped results", async () => {
  await withProjects(async (projects) => {
    const cwd = "/p/x";
    const long = "y".repeat(MAX_RESULT_CHARS + 10);
    await write(
      projects,
      cwd,
      A,
      user(cwd, "<command-name>/clear</command-name>") +
        user(cwd, "Do it") +
        user(cwd, "meta", { isMeta: true }) +
        assistant(cwd, "m1", [{ type: "thinking", thinking: "hmm" }]) +
        assistant(cwd, "m1", [{ type: "tool_use", id: "t1", name: "Bash", input: { command: "ls" } }]) +
        user(cwd, [{ type: "tool_result", tool_use_id: "t1", content: [{ type: "text", text: long }] }]) +
        line({ type: "user", isSidechain: true, cwd, message: { role: "user", content: "agent" } }) +
        "{not json\n" +
        assistant(cwd, "m2", [{ type: "text", text: "Done." }]),
      100,
    );
    const transcript = (await new ClaudeSessionArchive({ projectsDir: projects }).read(A))!;
    assert.equal(transcript.cwd, cwd);
    assert.equal(transcript.title, "Do it");
    assert.equal(transcript.message_count, 3);
    assert.deepEqual(transcript.entries.map((entry) => entry.type), [
      "user",
      "thinking",
      "tool_call",
      "assistant",
    ]);
    const call = transcript.entries[2];
    assert.ok(call.type === "tool_call" && call.result);
    assert.equal(call.result.content.length, MAX_RESULT_CHARS);
    assert.equal(call.result.clipped, true);
    assert.equal(await new ClaudeSessionArchive({ projectsDir: projects }).read(B), null);
  });
});

Deno.test("ClaudeSessionArchive removes every transcript of a session and its folder", async () => {
  await withProjects(async (projects) => {
    const one = await write(projects, "/p/x", A, user("/p/x", "a"), 100);
    const two = await write(projects, "/p/y", A, user("/p/y", "a"), 100);
    await Deno.mkdir(`${one.slice(0, -".jsonl".length)}/subagents`, { recursive: true });
    const archive = new ClaudeSessionArchive({ projectsDir: projects });
    assert.equal(await archive.remove(A), true);
    for (const path of [one, two, one.slice(0, -".jsonl".length)]) {
      await assert.rejects(Deno.stat(path), Deno.errors.NotFound);
    }
    assert.equal(await archive.remove(A), false);
    assert.equal(await archive.remove("../../etc"), false);
  });
});
