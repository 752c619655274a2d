import assert from "node:assert/strict";
import { FAKE_CLI } from "../../testkit/processes.ts";
import {
  SERVER_PASSWORD,
  SERVER_USER,
  type ServerProcess,
  spawnServer,
} from "../../testkit/server_process.ts";
import { canRun, inCi, runTool, type ToolOutput } from "../../testkit/run_tool.ts";

const EXAMPLES = new URL("../../examples/", import.meta.url).pathname;
/** The version the README tells users to install. */
const EVENTSOURCE_PARSER = "eventsource-parser@3.1.1";
/** Debian's python3-httpx is for the system Python; a pyenv `python3` on PATH may not have it. */
const PYTHON_WITH_HTTPX = ["/usr/bin/python3", "python3"].find((python) => {
  try {
    return new Deno.Command(python, { args: ["-c", "import httpx"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
});
const PYTHON = PYTHON_WITH_HTTPX ?? "python3";

/** Runs one example against a server with the fake CLI; `run` gets the environment the example reads. */
async function withServer(run: (env: Record<string, string>, server: ServerProcess) => Promise<void>) {
  const server = await spawnServer({ CLAUDE_PATH: FAKE_CLI });
  try {
    await run({ GATEWAY_URL: server.url, GATEWAY_AUTH: `${SERVER_USER}:${SERVER_PASSWORD}` }, server);
  } finally {
    await server.stop();
  }
}

/** The checks every client example passes: a chat, a line of 200 KB, a 422 and a failing CLI. */
async function checkExample(run: (args: string[], env: Record<string, string>) => Promise<ToolOutput>) {
  await withServer(async (env) => {
    const chat = await run(["hello", "/tmp"], env);
    assert.equal(chat.code, 0, chat.stderr);
    assert.match(
      chat.stdout,
      /^session [0-9a-f-]{36}\nsystem \d+ chars\nassistant \d+ chars\nresult \d+ chars\ndone /,
    );
    assert.match(chat.stderr, /^process [0-9a-f-]{36}$/m);

    const session = chat.stdout.match(/^session (\S+)/)?.[1] ?? "";
    const resumed = await run(["hello", "/tmp", session], env);
    assert.match(resumed.stdout, new RegExp(`^session ${session}$`, "m"));

    const big = await run(["bigline 200000", "/tmp"], env);
    assert.equal(big.code, 0, big.stderr);
    assert.match(big.stdout, /^assistant 200030 chars$/m);

    const invalid = await run(["hello", "tmp"], env);
    assert.equal(invalid.code, 1);
    assert.match(invalid.stderr, /^422 validation_error: cwd "tmp": must be an absolute path$/m);

    const failing = await run(["exit1", "/tmp"], env);
    assert.equal(failing.code, 1);
    assert.match(failing.stderr, /^error: the CLI exited with code 1$/m);
    assert.match(failing.stdout, /^done \{"process_id"/m);
  });
}

Deno.test({
  name: "the Python example streams a chat, a 200 KB line and reports a 422",
  ignore: !PYTHON_WITH_HTTPX && !inCi(),
  fn: () => checkExample((args, env) => runTool(PYTHON, [`${EXAMPLES}chat.py`, ...args], { env })),
});

/** Runs `fn` in a directory with eventsource-parser installed from npm and the example copied next to it. */
async function withNodeProject(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "example-js-" });
  try {
    const install = await runTool("npm", [
      "install",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      EVENTSOURCE_PARSER,
    ], {
      cwd: dir,
    });
    assert.equal(install.code, 0, install.stderr);
    await Deno.copyFile(`${EXAMPLES}chat.mjs`, `${dir}/chat.mjs`);
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name: "the JavaScript example streams a chat, a 200 KB line and reports a 422",
  ignore: !canRun(["node", "npm"]),
  fn: () =>
    withNodeProject((dir) =>
      checkExample((args, env) => runTool("node", [`${dir}/chat.mjs`, ...args], { env, cwd: dir }))
    ),
});

Deno.test({
  name: "the JavaScript example cancels its chat by X-Process-ID on Ctrl-C and reads on to done",
  ignore: !canRun(["node", "npm"]),
  fn: () =>
    withNodeProject((dir) =>
      withServer(async (env) => {
        const child = new Deno.Command("node", {
          args: [`${dir}/chat.mjs`, "hang", "/tmp"],
          env,
          stdin: "null",
          stdout: "piped",
          stderr: "piped",
        }).spawn();
        const stdout = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
        let seen = "";
        while (!seen.includes("system")) seen += (await stdout.read()).value ?? "";
        child.kill("SIGINT");
        for (let chunk = await stdout.read(); !chunk.done; chunk = await stdout.read()) seen += chunk.value;
        await child.stderr.cancel();
        await child.status;
        assert.match(seen, /^done .*"cancelled":true,"stop_reason":"cancelled"/m);
        assert.match(seen, /^result \d+ chars$/m);
      })
    ),
});
