import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { copyInstaller, MY_HOME } from "./sandbox.ts";

/** A copy of the installer's files in a temporary checkout, run as the current user into a --root tree. */
async function runInstaller(args: string[], envFile?: string): Promise<{ code: number; out: string }> {
  const root = await Deno.makeTempDir({ prefix: "install-guidance-" });
  try {
    const repo = join(root, "repo");
    const bin = join(root, "bin");
    await Deno.mkdir(bin);
    await copyInstaller(repo, ["claudecode2api.service", "main.ts", ".env.example", "deno.json"]);
    if (envFile !== undefined) await Deno.writeTextFile(join(repo, ".env"), envFile, { mode: 0o600 });
    // No systemctl is ever reached with --root; this one would fail loudly if it were.
    await Deno.writeTextFile(join(bin, "systemctl"), "#!/bin/sh\nexit 1\n", { mode: 0o755 });
    const output = await new Deno.Command("bash", {
      args: [join(repo, "install.sh"), "--root", join(root, "dest"), "--allow-root", ...args],
      cwd: repo,
      clearEnv: true,
      env: {
        PATH: `${bin}:${dirname(Deno.execPath())}:/usr/bin:/bin`,
        HOME: join(root, "home"),
        LANG: "C.UTF-8",
      },
    }).output();
    const decoder = new TextDecoder();
    return { code: output.code, out: decoder.decode(output.stdout) + decoder.decode(output.stderr) };
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

/** Whether the user running the tests (the service user here) has a saved CLI login. */
function loggedIn(): boolean {
  try {
    return Deno.statSync(`${MY_HOME}/.claude/.credentials.json`).isFile;
  } catch {
    return false;
  }
}

Deno.test("install.sh tells how to give the service a Claude login when it has none", async () => {
  const { code, out } = await runInstaller(["--no-cache"], "AUTH_PASSWORD=x\n");
  assert.equal(code, 0, out);
  if (loggedIn()) {
    assert.match(out, /login: \S+ is logged in/);
  } else {
    assert.match(
      out,
      /no Claude login for \S+, and \.env sets neither CLAUDE_CODE_OAUTH_TOKEN nor ANTHROPIC_API_KEY/,
    );
    assert.match(out, /claude setup-token/);
    assert.match(out, /ANTHROPIC_API_KEY=<the key>/);
  }
});

Deno.test("install.sh takes a token or an API key in .env as the service's login", async () => {
  for (const line of ["CLAUDE_CODE_OAUTH_TOKEN=sk-ant-oat01-x", "ANTHROPIC_API_KEY=sk-ant-api03-x"]) {
    const { code, out } = await runInstaller(["--no-cache"], `AUTH_PASSWORD=x\n${line}\n`);
    assert.equal(code, 0, out);
    assert.match(out, /login: \.env sets CLAUDE_CODE_OAUTH_TOKEN or ANTHROPIC_API_KEY/);
    assert.doesNotMatch(out, /no Claude login/);
  }
});

Deno.test("install.sh --dry-run shows the dependency step without claiming it was done", async () => {
  const { code, out } = await runInstaller(["--dry-run"]);
  assert.equal(code, 0, out);
  assert.match(out, /\[dry-run\] would run: .*install --quiet --entrypoint main\.ts/);
  assert.doesNotMatch(out, /dependencies cached/);
});

Deno.test("install.sh's upgrade line repeats the install as it was asked for", async () => {
  const system = await runInstaller(["--no-cache"], "AUTH_PASSWORD=x\n");
  assert.match(
    system.out,
    /upgrade: +git pull && sudo \.\/install\.sh && sudo systemctl restart claudecode2api/,
  );
  const user = await runInstaller(["--no-cache", "--user"], "AUTH_PASSWORD=x\n");
  assert.match(
    user.out,
    /upgrade: +git pull && \.\/install\.sh --user && systemctl --user restart claudecode2api/,
  );
});
