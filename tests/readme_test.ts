import assert from "node:assert/strict";
import { FAKE_CLI } from "../testkit/processes.ts";
import { SERVER_AUTH, SERVER_PASSWORD, SERVER_USER, spawnServer } from "../testkit/server_process.ts";
import { parseSse } from "../testkit/sse_client.ts";

const README = new URL("../README.md", import.meta.url);
const EXAMPLES = new URL("../examples/", import.meta.url);
/** The README's example project directory, replaced by a temporary one. */
const PROJECT = "/home/user/projects/myapp";

/** A fenced code block of the README: its language and its text. */
interface Block {
  lang: string;
  text: string;
}

/** Every fenced block of `markdown`. */
function blocks(markdown: string): Block[] {
  return [...markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((match) => ({
    lang: match[1],
    text: match[2],
  }));
}

/** The README's bash blocks that call the API with curl: these are run. */
function curlExamples(markdown: string): string[] {
  return blocks(markdown).filter((block) =>
    block.lang === "bash" && block.text.includes("http://localhost:9876")
  )
    .map((block) => block.text);
}

/** Bash blocks that need a fresh machine or change the system, tried in the fresh-clone walkthrough instead. */
function isSetup(text: string): boolean {
  return /git clone|sudo |systemctl|\.\/install\.sh|deno task test/.test(text);
}

/** Every file under `dir`, as paths relative to the examples folder. */
function exampleFiles(dir = EXAMPLES, prefix = ""): string[] {
  return [...Deno.readDirSync(dir)].flatMap((entry) =>
    entry.isDirectory
      ? exampleFiles(new URL(`${entry.name}/`, dir), `${prefix}${entry.name}/`)
      : [`${prefix}${entry.name}`]
  );
}

Deno.test("the README shows every file of examples/ verbatim, so what the tests run is what readers copy", async () => {
  const shown = blocks(await Deno.readTextFile(README)).map((block) => block.text);
  const files = exampleFiles();
  assert.ok(files.length >= 4, `examples: ${files}`);
  for (const file of files) {
    const text = await Deno.readTextFile(new URL(file, EXAMPLES));
    assert.ok(shown.includes(text), `examples/${file} is not shown verbatim in README.md`);
  }
});

Deno.test("every link to a section of the README leads to a heading", async () => {
  const markdown = await Deno.readTextFile(README);
  // GitHub's anchors: the heading in lower case, punctuation dropped, spaces as hyphens.
  const anchors = [...markdown.matchAll(/^#+ (.*)$/gm)]
    .map((match) => match[1].toLowerCase().replace(/[^\w\- ]/g, "").replaceAll(" ", "-"));
  const links = [...markdown.matchAll(/\]\(#([^)]+)\)/g)].map((match) => match[1]);
  assert.ok(links.length >= 4);
  for (const link of links) assert.ok(anchors.includes(link), `no heading for #${link}`);
});

Deno.test("every bash block of the README is either run by the tests or a setup step", async () => {
  const markdown = await Deno.readTextFile(README);
  const bash = blocks(markdown).filter((block) => block.lang === "bash").map((block) => block.text);
  const run = new Set(curlExamples(markdown));
  for (const text of bash) {
    assert.ok(run.has(text) || isSetup(text), `neither run nor a setup step:\n${text}`);
  }
});

Deno.test("the README's curl examples work against a live server", async () => {
  const examples = curlExamples(await Deno.readTextFile(README));
  assert.ok(examples.length >= 8, `found ${examples.length} curl examples`);
  const project = await Deno.makeTempDir({ prefix: "readme-" });
  const server = await spawnServer({ CLAUDE_PATH: FAKE_CLI });
  try {
    const outputs: string[] = [];
    for (const example of examples) {
      const script = example
        .replaceAll("http://localhost:9876", server.url)
        .replaceAll("admin:password", `${SERVER_USER}:${SERVER_PASSWORD}`)
        .replaceAll(PROJECT, project)
        // The fake CLI's "hang" runs until it is cancelled, as a long real chat would.
        .replaceAll('"prompt": "Refactor the whole project"', '"prompt": "hang"')
        // Lines 0.1 s apart for 4 s: the stream is cut after 2 s, in the middle.
        .replaceAll('"prompt": "Tell a long story"', '"prompt": "slow 40 0.1"')
        // The fake CLI's "converse" asks before it writes notes.txt and takes follow-ups, as an
        // interactive chat of the real CLI does.
        .replaceAll('"prompt": "Write notes.txt with three ideas"', '"prompt": "converse"');
      const output = await new Deno.Command("bash", {
        args: ["-c", `set -e\n${script}`],
        cwd: project,
        stdout: "piped",
      }).output();
      const text = new TextDecoder().decode(output.stdout);
      assert.equal(output.code, 0, `example failed:\n${script}`);
      outputs.push(text);
    }
    const byPath = (path: string) => outputs.filter((_, index) => examples[index].includes(path));
    const [health] = byPath("/health");
    assert.equal(JSON.parse(health).status, "ok");
    const [cancelFlow] = byPath("headers.txt");
    assert.match(cancelFlow, /\{"status":"cancelled","process_id":"[0-9a-f-]{36}"\}/);
    assert.match(cancelFlow, /^data: .*"cancelled":true,"stop_reason":"cancelled"/m);
    const [reattached] = byPath("Last-Event-ID");
    const rest = parseSse(reattached);
    assert.ok(Number(rest[0].id) > 1, "the replay starts after the events already read");
    // init, 40 lines and the result: 42 messages in all, those already read and those replayed.
    const messages = rest.filter((event) => event.event === "message").length + Number(rest[0].id) - 1;
    assert.equal(messages, 42, reattached);
    assert.equal(JSON.parse(rest.at(-1)!.data).cancelled, false, "the chat ran on while nobody watched");
    const [interactive] = byPath("/permissions/");
    const answers = interactive.split("\n").slice(0, 5).map((line) => JSON.parse(line));
    assert.equal(answers[0].behavior, "allow", interactive);
    assert.match(answers[1].message_id, /^[0-9a-f-]{36}$/);
    assert.deepEqual([answers[2].still_queued, answers[2].cancelled], [[], []]);
    assert.deepEqual(answers[3], { permission_mode: "acceptEdits" });
    assert.equal(answers[4].status, "cancelled");
    assert.deepEqual(interactive.split("\n").slice(5, 7), [
      "event: permission_request",
      "event: permission_resolved",
    ]);
    assert.equal(await Deno.readTextFile(`${project}/notes.txt`), "three ideas\n", "the approved write ran");
    const others = [cancelFlow, reattached, interactive];
    for (const chat of byPath("/chat \\").filter((text) => !others.includes(text))) {
      const events = parseSse(chat);
      assert.equal(events.at(-1)?.event, "done", chat);
      assert.match(events[0].data, /"subtype":"init"/);
    }
    const [cancel] = byPath("/chat/uuid-here");
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

Deno.test("the README's request bodies are accepted by a live server", async () => {
  const bodies = blocks(await Deno.readTextFile(README)).filter((block) => block.lang === "json")
    .map((block) => JSON.parse(block.text)).filter((body) => typeof body.prompt === "string");
  assert.ok(bodies.length >= 1);
  const project = await Deno.makeTempDir({ prefix: "readme-" });
  const server = await spawnServer({ CLAUDE_PATH: FAKE_CLI });
  try {
    for (const body of bodies) {
      const response = await fetch(`${server.url}/chat`, {
        method: "POST",
        headers: { ...SERVER_AUTH, "Content-Type": "application/json" },
        body: JSON.stringify({ ...body, cwd: project }),
      });
      assert.equal(response.status, 200, JSON.stringify(body));
      assert.equal(parseSse(await response.text()).at(-1)?.event, "done");
    }
  } finally {
    await server.stop();
    await Deno.remove(project, { recursive: true });
  }
});

Deno.test("a server on every address points to the README's TLS section, which exists", async () => {
  const server = await spawnServer({ CLAUDE_PATH: FAKE_CLI, HOST: "0.0.0.0" });
  try {
    // The hint follows the "listening" line that spawnServer() waits for.
    for (let wait = 0; wait < 50 && !server.output().includes("TLS"); wait++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.match(server.output(), /HOST=0\.0\.0\.0 serves plain HTTP .*"TLS with a reverse proxy"/);
    assert.match(await Deno.readTextFile(README), /^### TLS with a reverse proxy$/m);
  } finally {
    await server.stop();
  }
});
