// The .env install.sh creates: a generated password, mode 600, never overwritten; and .env.example.
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  assertNoSystemctl,
  exists,
  install,
  ok,
  REPO,
  type Result,
  type Sandbox,
  std,
  withSandbox,
} from "./sandbox.ts";
import { snapshot } from "./snapshot.ts";
import { envValue } from "./unit_file.ts";

/** Does bubblewrap make a sandbox on this machine (so install.sh turns SANDBOX on in a new .env)? */
async function bwrapWorks(): Promise<boolean> {
  try {
    const args = [
      "--ro-bind",
      "/",
      "/",
      "--dev",
      "/dev",
      "--proc",
      "/proc",
      "--unshare-pid",
      "--die-with-parent",
      "true",
    ];
    return (await new Deno.Command("bwrap", { args, stdout: "null", stderr: "null" }).output()).success;
  } catch {
    return false;
  }
}

/**
 * The first run's .env: one generated password, SANDBOX=bwrap where bubblewrap works, everything else
 * .env.example verbatim. Returns the password.
 */
async function assertGeneratedEnv(sb: Sandbox, first: Result): Promise<string> {
  const envPath = join(sb.repo, ".env");
  assert.equal((await Deno.stat(envPath)).mode! & 0o777, 0o600);
  const envText = await Deno.readTextFile(envPath);
  const pw = envValue(envText, "AUTH_PASSWORD");
  assert.equal(pw.length, 1, "exactly one active AUTH_PASSWORD=");
  assert.match(pw[0], /^[0-9a-f]{48}$/, "48 hex characters (192 bits) expected");
  // Everything else is .env.example verbatim.
  const example = (await Deno.readTextFile(join(sb.repo, ".env.example"))).trimEnd().split("\n");
  const got = envText.trimEnd().split("\n");
  assert.equal(
    got.length,
    example.length + (example.some((l) => /^\s*#?\s*AUTH_PASSWORD\s*=/.test(l)) ? 0 : 1),
  );
  const sandbox = (await bwrapWorks()) ? "bwrap" : "off";
  example.forEach((l, i) => {
    if (got[i] === `AUTH_PASSWORD=${pw[0]}`) return;
    assert.equal(got[i], l === "SANDBOX=off" ? `SANDBOX=${sandbox}` : l);
  });
  assert.deepEqual(envValue(envText, "SANDBOX"), [sandbox], "SANDBOX is on exactly where bubblewrap works");
  // It says where the password is, but never prints it.
  assert.ok(first.stdout.includes(envPath), "the output does not say where the password is");
  assert.ok(!first.stdout.includes(pw[0]) && !first.stderr.includes(pw[0]), "the password was printed");
  return pw[0];
}

/** systemd's own EnvironmentFile parser (shared with environment.d) reads the same value. */
async function assertSystemdReadsPassword(sb: Sandbox, password: string): Promise<void> {
  const gen = "/lib/systemd/user-environment-generators/30-systemd-environment-d-generator";
  if (!(await exists(gen))) return;
  const cfg = join(sb.root, "xdg");
  await Deno.mkdir(join(cfg, "environment.d"), { recursive: true });
  await Deno.copyFile(join(sb.repo, ".env"), join(cfg, "environment.d", "10-env.conf"));
  const out = await new Deno.Command(gen, {
    clearEnv: true,
    env: { XDG_CONFIG_HOME: cfg, HOME: sb.home },
  })
    .output();
  const parsed = new TextDecoder().decode(out.stdout);
  assert.ok(parsed.split("\n").includes(`AUTH_PASSWORD=${password}`), `systemd parsed:\n${parsed}`);
  await Deno.remove(cfg, { recursive: true });
}

/** Second run: nothing changes (contents, modes and mtimes) and it says so. */
async function assertSecondRunChangesNothing(sb: Sandbox): Promise<void> {
  const before = await snapshot(sb.root);
  const second = await install(sb, std(sb));
  ok(second, "second run");
  assert.match(second.stdout, /kept existing .*\.env \(never overwritten\)/);
  assert.match(second.stdout, /unchanged: .*claudecode2api\.service/);
  assert.match(second.stdout, /already enabled/);
  assert.match(second.stdout, /Nothing to do: .*no changes made/);
  assert.deepEqual(await snapshot(sb.root), before);
}

/** A user-edited .env survives another run; only a too-open mode is tightened. */
async function assertEditedEnvKept(sb: Sandbox): Promise<void> {
  const envPath = join(sb.repo, ".env");
  const edited = "AUTH_USER=me\nAUTH_PASSWORD=my-own-password\nPORT=1234\n";
  await Deno.writeTextFile(envPath, edited);
  await Deno.chmod(envPath, 0o644);
  const third = await install(sb, std(sb));
  ok(third, "third run");
  assert.equal(await Deno.readTextFile(envPath), edited);
  assert.equal((await Deno.stat(envPath)).mode! & 0o777, 0o600);
  assert.match(third.stdout, /set mode 600/);
}

Deno.test(".env gets a generated password (mode 600); a second run is a no-op and .env is never overwritten", () =>
  withSandbox((sb) =>
    withSandbox(async (sb2) => {
      const first = await install(sb, std(sb));
      ok(first, "first run");
      const pw = await assertGeneratedEnv(sb, first);
      await assertSystemdReadsPassword(sb, pw);
      await assertSecondRunChangesNothing(sb);
      await assertEditedEnvKept(sb);

      // Another installation gets another password.
      ok(await install(sb2, std(sb2)), "install in a second sandbox");
      const pw2 = envValue(await Deno.readTextFile(join(sb2.repo, ".env")), "AUTH_PASSWORD");
      assert.notEqual(pw2[0], pw);
      await assertNoSystemctl(sb);
      await assertNoSystemctl(sb2);
    })
  ));

Deno.test({
  name: "the repo's .env.example can be read by systemd's EnvironmentFile=",
  ignore: !(await exists(join(REPO, ".env.example"))),
  async fn() {
    // systemd keeps a trailing "# comment" as part of the value (PORT="9876 # port"), and the
    // unit's EnvironmentFile= values override what the server reads from .env.
    const lines = (await Deno.readTextFile(join(REPO, ".env.example"))).split("\n");
    const bad = lines.filter((l) => /^\s*[A-Za-z_][A-Za-z0-9_]*=[^"'#]*\s#/.test(l));
    assert.deepEqual(bad, [], "move these comments onto their own lines");
  },
});
