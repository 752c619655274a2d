/**
 * A throwaway checkout to run install.sh in.
 *
 * Every test copies the files the installer needs into a fresh temp directory and runs it there
 * with --root/DESTDIR, so nothing outside the temp directory is written: the real repo's .env is
 * never touched, systemctl is never called (a fake one on PATH records any call), and the Deno
 * that runs these tests is first on PATH, so nothing is downloaded (--no-cache skips `deno install`).
 *
 * @module
 */
import assert from "node:assert/strict";
import { dirname, join, resolve } from "node:path";

/** The checkout under test. */
export const REPO = resolve(import.meta.dirname!, "..", "..");
/** Whether CI is set: tests whose tools are missing fail instead of being skipped. */
export const CI = !!Deno.env.get("CI");
/** The unit file's name. */
export const UNIT = "claudecode2api.service";
/** Where install.sh keeps the parts it sources, relative to the checkout. */
const PARTS = "tools/install";

/** Runs a shell command that must succeed and returns its trimmed output. */
function sh(cmd: string): string {
  const r = new Deno.Command("sh", { args: ["-c", cmd] }).outputSync();
  assert.ok(r.success, `${cmd} failed`);
  return new TextDecoder().decode(r.stdout).trim();
}
/** The user running the tests. */
export const ME = sh("id -un");
/** That user's home directory, from the password database. */
export const MY_HOME = sh(`getent passwd "$(id -un)" | cut -d: -f6`);

/** Whether anything (a dangling symlink included) is at `path`. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/** install.sh and the parts it sources, relative to the checkout. */
export async function installerScripts(): Promise<string[]> {
  const parts: string[] = [];
  for await (const e of Deno.readDir(join(REPO, PARTS))) {
    if (e.isFile && e.name.endsWith(".sh")) parts.push(`${PARTS}/${e.name}`);
  }
  return ["install.sh", ...parts.sort()];
}

/** Copies the installer (its scripts and `files`, those that exist) from this checkout into `repo`. */
export async function copyInstaller(repo: string, files: string[]): Promise<void> {
  await Deno.mkdir(join(repo, PARTS), { recursive: true });
  for (const f of [...await installerScripts(), ...files]) {
    if (await exists(join(REPO, f))) await Deno.copyFile(join(REPO, f), join(repo, f));
  }
  await Deno.chmod(join(repo, "install.sh"), 0o755);
}

/** A temp dir with repo/ (a copy of the installer), dest/ (empty), home/ and bin/ (a logging systemctl). */
export interface Sandbox {
  root: string;
  repo: string;
  dest: string;
  home: string;
  bin: string;
  systemctlLog: string;
}

/** Stand-in for a checkout without .env.example. */
const ENV_EXAMPLE = [
  "# claudecode2api configuration",
  "HOST=127.0.0.1",
  "PORT=9876",
  "AUTH_USER=admin",
  "# Required. install.sh generates one.",
  "AUTH_PASSWORD=",
  "# CLAUDE_PATH=claude",
  "LOG_LEVEL=info",
  "CANCEL_GRACE_S=5",
  "",
].join("\n");

/** A fresh sandbox; remove `root` afterwards. */
export async function makeSandbox(): Promise<Sandbox> {
  const root = await Deno.makeTempDir({ prefix: "cc2a-install-" });
  const sb: Sandbox = {
    root,
    repo: join(root, "repo"),
    dest: join(root, "dest"),
    home: join(root, "home"),
    bin: join(root, "bin"),
    systemctlLog: join(root, "systemctl-calls.log"),
  };
  for (const d of [sb.repo, sb.dest, sb.home, sb.bin]) await Deno.mkdir(d);
  await copyInstaller(sb.repo, [UNIT, "deno.json", "deno.lock", "main.ts", ".env.example"]);
  if (!(await exists(join(sb.repo, "main.ts")))) {
    await Deno.writeTextFile(join(sb.repo, "main.ts"), "// stand-in: the real main.ts is not written yet\n");
  }
  if (!(await exists(join(sb.repo, ".env.example")))) {
    await Deno.writeTextFile(join(sb.repo, ".env.example"), ENV_EXAMPLE);
  }
  // Any systemctl call is recorded and fails: the tests must never reach the real one.
  await Deno.writeTextFile(
    join(sb.bin, "systemctl"),
    `#!/bin/sh\necho "systemctl $*" >> '${sb.systemctlLog}'\nexit 1\n`,
  );
  await Deno.chmod(join(sb.bin, "systemctl"), 0o755);
  return sb;
}

/** Runs `fn` with a fresh sandbox and removes it afterwards. */
export async function withSandbox(fn: (sb: Sandbox) => Promise<void>): Promise<void> {
  const sb = await makeSandbox();
  try {
    await fn(sb);
  } finally {
    await Deno.remove(sb.root, { recursive: true });
  }
}

/** What a finished command printed. */
export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the sandbox's install.sh with `args` in a clean environment, from `cwd` (default: the checkout). */
export async function install(
  sb: Sandbox,
  args: string[],
  extraEnv: Record<string, string> = {},
  cwd = sb.repo,
): Promise<Result> {
  const out = await new Deno.Command("bash", {
    args: [join(sb.repo, "install.sh"), ...args],
    cwd,
    clearEnv: true,
    env: {
      // The Deno running these tests comes first, so the installer finds it and downloads nothing.
      PATH: `${sb.bin}:${dirname(Deno.execPath())}:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`,
      HOME: sb.home,
      LANG: "C.UTF-8",
      ...extraEnv,
    },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Standard arguments: sandbox tree, no dependency cache, and the current user even if it is root. */
export function std(sb: Sandbox, ...more: string[]): string[] {
  return ["--root", sb.dest, "--no-cache", "--allow-root", ...more];
}

/** Asserts that a run succeeded, showing its output when it did not. */
export function ok(r: Result, what: string) {
  assert.equal(
    r.code,
    0,
    `${what} failed (exit ${r.code})\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`,
  );
}

/** Asserts that the fake systemctl was never called. */
export async function assertNoSystemctl(sb: Sandbox) {
  assert.ok(
    !(await exists(sb.systemctlLog)),
    `systemctl was called: ${await Deno.readTextFile(sb.systemctlLog).catch(() => "")}`,
  );
}

/** The system unit's path in the sandbox's tree. */
export const systemUnit = (sb: Sandbox) => join(sb.dest, "etc/systemd/system", UNIT);
/** The system unit's enable symlink in the sandbox's tree. */
export const systemWants = (sb: Sandbox) => join(sb.dest, "etc/systemd/system/multi-user.target.wants", UNIT);
