import assert from "node:assert/strict";
import { FAKE_CLI } from "../../testkit/processes.ts";
import { MAIN, SERVER_PERMISSIONS, serverEnv, spawnServer } from "../../testkit/server_process.ts";

async function startFails(env: Record<string, string>, cwd?: string) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...SERVER_PERMISSIONS, MAIN],
    cwd,
    clearEnv: true,
    env: serverEnv(env),
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: output.code, stderr: new TextDecoder().decode(output.stderr).trim() };
}

Deno.test("start-up stops with one line naming the problem: bad variable, bad .env, port in use", async () => {
  const bad = await startFails({ PORT: "abc", CLAUDE_PATH: FAKE_CLI });
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr.split("\n").length, 1, bad.stderr);
  assert.match(bad.stderr, /^claudecode2api: invalid PORT="abc": /);

  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/.env`, "PORT=1234\nthis is not a variable\n");
    const env = await startFails({ CLAUDE_PATH: FAKE_CLI }, dir);
    assert.equal(env.code, 2);
    assert.match(env.stderr, /^claudecode2api: cannot use \.env: \.env line 2 is not KEY=value/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }

  const first = await spawnServer({ CLAUDE_PATH: FAKE_CLI });
  try {
    const port = new URL(first.url).port;
    const taken = await startFails({
      HOST: "127.0.0.1",
      PORT: port,
      AUTH_PASSWORD: "x",
      CLAUDE_PATH: FAKE_CLI,
    });
    assert.equal(taken.code, 2);
    assert.match(taken.stderr, new RegExp(`cannot listen on HOST=127.0.0.1 PORT=${port}: .*in use`));
    assert.doesNotMatch(taken.stderr, /\n\s+at /, "no stack trace");
  } finally {
    await first.stop();
  }
});

Deno.test("without AUTH_PASSWORD the server generates one, prints it once, and requires it", async () => {
  const server = await spawnServer({ CLAUDE_PATH: FAKE_CLI, AUTH_PASSWORD: "" });
  try {
    const password = server.output().match(/password: (\S+)/)?.[1];
    assert.ok(password && password.length >= 24, server.output());
    assert.equal(server.output().split(password).length - 1, 1, "printed once");
    const open = await fetch(`${server.url}/processes`);
    assert.equal(open.status, 401);
    await open.body?.cancel();
    const authed = await fetch(`${server.url}/processes`, {
      headers: { Authorization: `Basic ${btoa(`admin:${password}`)}` },
    });
    assert.equal(authed.status, 200);
    await authed.body?.cancel();
  } finally {
    await server.stop();
  }
});
