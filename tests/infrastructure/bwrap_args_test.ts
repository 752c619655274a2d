import assert from "node:assert/strict";
import { buildBwrapArgs, type BwrapPlan } from "../../infrastructure/bwrap_args.ts";

const PLAN: BwrapPlan = {
  claudePath: "/opt/claude/claude.exe",
  args: ["-p", "--output-format", "stream-json"],
  cwd: "/srv/repo",
  addDirs: ["/srv/lib"],
  pluginDirs: ["/tmp/plugin"],
  requestFiles: ["/tmp/mcp.json"],
  home: "/home/svc/",
  cliState: {
    dir: "/tmp/chat-1/cli-state/.claude",
    config: "/tmp/chat-1/cli-state/.claude.json",
    shared: ["projects"],
    readOnly: ["agents", "settings.json"],
  },
  hiddenDirs: ["/opt/claudecode2api"],
  hiddenFiles: ["/etc/claudecode2api.env"],
  roPaths: ["/home/svc/.ssh"],
  rwPaths: ["/var/cache/build"],
};

/** The `[flag, source, target]` mounts in order, and the rest. */
function mounts(args: string[]): string[] {
  const found: string[] = [];
  for (let i = 0; i < args.length && args[i] !== "--"; i++) {
    if (["--ro-bind", "--bind", "--ro-bind-try", "--bind-try"].includes(args[i])) {
      found.push(`${args[i]} ${args[++i]} ${args[++i]}`);
    } else if (["--tmpfs", "--dev", "--proc", "--chdir"].includes(args[i])) {
      found.push(`${args[i]} ${args[++i]}`);
    } else found.push(args[i]);
  }
  return found;
}

Deno.test("buildBwrapArgs() mounts the root read-only and only the chat's, CLI's and operator's paths writable", () => {
  assert.deepEqual(mounts(buildBwrapArgs(PLAN)), [
    "--ro-bind / /",
    "--dev /dev",
    "--proc /proc",
    "--tmpfs /tmp",
    "--bind /srv/repo /srv/repo",
    "--bind /srv/lib /srv/lib",
    "--ro-bind /tmp/plugin /tmp/plugin",
    "--ro-bind-try /tmp/mcp.json /tmp/mcp.json",
    "--tmpfs /opt/claudecode2api",
    "--ro-bind /dev/null /etc/claudecode2api.env",
    "--ro-bind /opt/claude/claude.exe /opt/claude/claude.exe",
    "--bind /tmp/chat-1/cli-state/.claude /home/svc/.claude",
    "--bind /tmp/chat-1/cli-state/.claude.json /home/svc/.claude.json",
    "--ro-bind-try /home/svc/.claude/agents /home/svc/.claude/agents",
    "--ro-bind-try /home/svc/.claude/settings.json /home/svc/.claude/settings.json",
    "--bind-try /home/svc/.claude/projects /home/svc/.claude/projects",
    "--ro-bind /home/svc/.ssh /home/svc/.ssh",
    "--bind /var/cache/build /var/cache/build",
    "--unshare-pid",
    "--unshare-ipc",
    "--die-with-parent",
    "--new-session",
    "--chdir /srv/repo",
  ]);
});

Deno.test("buildBwrapArgs() ends with the CLI and its arguments after --", () => {
  const args = buildBwrapArgs(PLAN);
  assert.deepEqual(args.slice(args.indexOf("--")), ["--", "/opt/claude/claude.exe", ...PLAN.args]);
});

Deno.test("buildBwrapArgs() hides the gateway after the request's paths, so a parent cwd cannot uncover it", () => {
  const args = buildBwrapArgs({ ...PLAN, cwd: "/opt", addDirs: ["/opt/claudecode2api"] });
  const at = (needle: string[]) => args.findIndex((_, i) => needle.every((part, j) => args[i + j] === part));
  assert.ok(at(["--bind", "/opt", "/opt"]) < at(["--tmpfs", "/opt/claudecode2api"]));
  assert.ok(
    at(["--bind", "/opt/claudecode2api", "/opt/claudecode2api"]) < at(["--tmpfs", "/opt/claudecode2api"]),
  );
  // The CLI and its state come after the hiding: the operator's own paths stay usable.
  assert.ok(at(["--tmpfs", "/opt/claudecode2api"]) < at(["--ro-bind", PLAN.claudePath, PLAN.claudePath]));
});

Deno.test("buildBwrapArgs() passes hostile path and argument text as single arguments", () => {
  const cwd = "/srv/a dir; rm -rf / --bind / /";
  const args = buildBwrapArgs({ ...PLAN, cwd, args: ["-p", "--", "$(id)"] });
  assert.deepEqual(args.slice(9, 12), ["--bind", cwd, cwd]);
  assert.deepEqual(args.slice(-3), ["-p", "--", "$(id)"]);
  assert.equal(args.indexOf("--"), args.length - 5);
});

Deno.test("buildBwrapArgs() shows the chat its own ~/.claude first, then the operator's entries over it", () => {
  const args = mounts(buildBwrapArgs(PLAN));
  const at = (mount: string) => args.indexOf(mount);
  const privateDir = at("--bind /tmp/chat-1/cli-state/.claude /home/svc/.claude");
  assert.ok(privateDir > at("--tmpfs /opt/claudecode2api"), "after the gateway is hidden");
  assert.ok(privateDir < at("--ro-bind-try /home/svc/.claude/settings.json /home/svc/.claude/settings.json"));
  assert.ok(privateDir < at("--bind-try /home/svc/.claude/projects /home/svc/.claude/projects"));
  // The operator's own extra paths still win over everything.
  assert.ok(
    at("--bind-try /home/svc/.claude/projects /home/svc/.claude/projects") <
      at("--ro-bind /home/svc/.ssh /home/svc/.ssh"),
  );
  assert.equal(args.filter((mount) => mount.endsWith(" /home/svc/.claude/settings.json")).length, 1);
});
