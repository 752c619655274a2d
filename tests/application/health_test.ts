import assert from "node:assert/strict";
import { createHealth } from "../../application/health.ts";
import type { CliProbe } from "../../domain/cli_probe.ts";

/** A {@link CliProbe} whose answers the test sets, counting every call. */
class FakeProbe implements CliProbe {
  identity: { fingerprint: string } | { error: string } = { fingerprint: "inode-1" };
  versionResult: () => Promise<string> = () => Promise.resolve("2.1.328 (Claude Code)");
  identifyCalls: string[] = [];
  versionCalls: string[] = [];

  identify(path: string): Promise<{ fingerprint: string } | { error: string }> {
    this.identifyCalls.push(path);
    return Promise.resolve(this.identity);
  }

  version(path: string): Promise<string> {
    this.versionCalls.push(path);
    return this.versionResult();
  }
}

const PATH = "/usr/local/bin/claude";

Deno.test("health() reports ok with the path and the version", async () => {
  const probe = new FakeProbe();
  const health = createHealth({ cli: { path: PATH }, probe, sandbox: "off" });
  assert.deepEqual(await health(), {
    status: "ok",
    claude_path: PATH,
    claude_version: "2.1.328 (Claude Code)",
    sandbox: "off",
  });
  assert.deepEqual(probe.identifyCalls, [PATH]);
  assert.deepEqual(probe.versionCalls, [PATH]);
});

Deno.test("health() runs version() once while the fingerprint stays the same", async () => {
  const probe = new FakeProbe();
  const health = createHealth({ cli: { path: PATH }, probe, sandbox: "off" });
  for (let i = 0; i < 5; i++) assert.equal((await health()).status, "ok");
  assert.equal(probe.versionCalls.length, 1);
  assert.equal(probe.identifyCalls.length, 5);
});

Deno.test("health() shares one version() run between concurrent calls", async () => {
  const probe = new FakeProbe();
  let resolve!: (version: string) => void;
  probe.versionResult = () => new Promise((done) => resolve = done);
  const health = createHealth({ cli: { path: PATH }, probe, sandbox: "off" });
  const calls = [health(), health(), health()];
  while (probe.versionCalls.length === 0) await Promise.resolve();
  resolve("9.9.9");
  const reports = await Promise.all(calls);
  assert.equal(probe.versionCalls.length, 1);
  for (const report of reports) {
    assert.deepEqual(report, { status: "ok", claude_path: PATH, claude_version: "9.9.9", sandbox: "off" });
  }
});

Deno.test("health() runs version() again when the fingerprint changes", async () => {
  const probe = new FakeProbe();
  const health = createHealth({ cli: { path: PATH }, probe, sandbox: "off" });
  await health();
  probe.identity = { fingerprint: "inode-2" };
  probe.versionResult = () => Promise.resolve("2.2.0 (Claude Code)");
  assert.deepEqual(await health(), {
    status: "ok",
    claude_path: PATH,
    claude_version: "2.2.0 (Claude Code)",
    sandbox: "off",
  });
  await health();
  assert.equal(probe.versionCalls.length, 2);
});

Deno.test("health() runs version() again when an old fingerprint comes back", async () => {
  const probe = new FakeProbe();
  const health = createHealth({ cli: { path: PATH }, probe, sandbox: "off" });
  await health();
  probe.identity = { fingerprint: "inode-2" };
  await health();
  probe.identity = { fingerprint: "inode-1" };
  await health();
  assert.equal(probe.versionCalls.length, 3);
});

Deno.test("health() reports an identify error with the path and does not run version()", async () => {
  const probe = new FakeProbe();
  probe.identity = { error: `"${PATH}" is not executable` };
  const health = createHealth({ cli: { path: PATH }, probe, sandbox: "off" });
  assert.deepEqual(await health(), {
    status: "error",
    claude_path: PATH,
    error: `"${PATH}" is not executable`,
    sandbox: "off",
  });
  assert.equal(probe.versionCalls.length, 0);
});

Deno.test("health() reports a vanished CLI at once even after a good version", async () => {
  const probe = new FakeProbe();
  const health = createHealth({ cli: { path: PATH }, probe, sandbox: "off" });
  assert.equal((await health()).status, "ok");
  probe.identity = { error: "no such file" };
  assert.deepEqual(await health(), {
    status: "error",
    claude_path: PATH,
    error: "no such file",
    sandbox: "off",
  });
});

Deno.test("health() reports a failing version() with the path and the reason", async () => {
  const probe = new FakeProbe();
  probe.versionResult = () => Promise.reject(new Error("timed out after 10 s"));
  const health = createHealth({ cli: { path: PATH }, probe, sandbox: "off" });
  const report = await health();
  assert.equal(report.status, "error");
  assert.equal(report.claude_path, PATH);
  assert.ok("error" in report && report.error.includes(PATH), JSON.stringify(report));
  assert.ok("error" in report && report.error.includes("timed out after 10 s"), JSON.stringify(report));
});

Deno.test("health() retries version() on the next call after a failure", async () => {
  const probe = new FakeProbe();
  probe.versionResult = () => Promise.reject(new Error("boom"));
  const health = createHealth({ cli: { path: PATH }, probe, sandbox: "off" });
  assert.equal((await health()).status, "error");
  assert.equal((await health()).status, "error");
  assert.equal(probe.versionCalls.length, 2);
  probe.versionResult = () => Promise.resolve("2.1.328 (Claude Code)");
  assert.deepEqual(await health(), {
    status: "ok",
    claude_path: PATH,
    claude_version: "2.1.328 (Claude Code)",
    sandbox: "off",
  });
  await health();
  assert.equal(probe.versionCalls.length, 3);
});

Deno.test("health() reports a non-Error rejection as text", async () => {
  const probe = new FakeProbe();
  probe.versionResult = () => Promise.reject("exit code 127");
  const health = createHealth({ cli: { path: PATH }, probe, sandbox: "off" });
  const report = await health();
  assert.ok("error" in report && report.error.includes("exit code 127"), JSON.stringify(report));
});

Deno.test("health() passes a detection error through with claude_path null and probes nothing", async () => {
  const probe = new FakeProbe();
  const error = "Claude Code CLI not found on PATH or in the usual places";
  const health = createHealth({ cli: { path: null, error }, probe, sandbox: "off" });
  assert.deepEqual(await health(), { status: "error", claude_path: null, error, sandbox: "off" });
  assert.equal(probe.identifyCalls.length, 0);
  assert.equal(probe.versionCalls.length, 0);
});

Deno.test("health() passes a CLAUDE_PATH error through with the configured path", async () => {
  const probe = new FakeProbe();
  const error = 'CLAUDE_PATH "/bad" is not an executable file';
  const health = createHealth({ cli: { path: "/bad", error }, probe, sandbox: "off" });
  assert.deepEqual(await health(), { status: "error", claude_path: "/bad", error, sandbox: "off" });
  assert.equal(probe.identifyCalls.length, 0);
});

Deno.test("health() reports the sandbox the chats run in, whether the CLI is ok or not", async () => {
  const ok = createHealth({ cli: { path: PATH }, probe: new FakeProbe(), sandbox: "bwrap" });
  assert.equal((await ok()).sandbox, "bwrap");
  const missing = createHealth({
    cli: { path: null, error: "not found" },
    probe: new FakeProbe(),
    sandbox: "bwrap",
  });
  assert.deepEqual(await missing(), {
    status: "error",
    claude_path: null,
    error: "not found",
    sandbox: "bwrap",
  });
});
