import assert from "node:assert/strict";
import { type ChatPolicy, createCheckChatRequest } from "../../application/check_chat_request.ts";
import { ForbiddenError } from "../../domain/errors.ts";
import { FakeSessionTranscripts } from "../support/fake_session_transcripts.ts";
import { FakeDirectories } from "../support/fakes.ts";

const directories = new FakeDirectories(["/work", "/workshop", "/outside"], [], { "/work/link": "/outside" });
const SESSION = "0b6f5b8e-6d1c-4b8f-9a43-2c9a0d9b8f11";
const OPEN: ChatPolicy = { allowedRoots: null, allowedPermissionModes: null, deniedFields: null };

/** The check under `policy` (unrestricted parts by default), sessions recorded as `recorded`. */
function checker(policy: Partial<ChatPolicy>, recorded: Record<string, string | null> = {}) {
  return createCheckChatRequest({
    directories,
    sessions: new FakeSessionTranscripts(recorded),
    policy: { ...OPEN, ...policy },
  });
}

/** Asserts `promise` rejects with a ForbiddenError on `field` whose message matches `message`. */
async function assertForbidden(promise: Promise<unknown>, field: string, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof ForbiddenError, String(error));
    assert.equal(error.field, field);
    assert.match(error.message, message);
    return true;
  });
}

Deno.test("checkChatRequest() accepts the root itself and paths under it, and any path under /", async () => {
  for (const [root, cwd] of [["/work", "/work"], ["/work", "/work/project"], ["/", "/workshop/x"]]) {
    await checker({ allowedRoots: [root] })({ prompt: "x", cwd });
  }
});

Deno.test("checkChatRequest() does not take a sibling that shares the root's prefix for inside it", async () => {
  await assert.rejects(
    checker({ allowedRoots: ["/work"] })({ prompt: "x", cwd: "/workshop" }),
    ForbiddenError,
  );
});

Deno.test("checkChatRequest() lets everything through when the policy restricts nothing", async () => {
  await checker({}, { [SESSION]: "/outside" })({
    prompt: "x",
    cwd: "/workshop",
    permission_mode: "bypassPermissions",
    add_dir: ["/work"],
    session_id: SESSION,
    mcp_config: ["{}"],
  });
});

Deno.test("checkChatRequest() refuses a denied field, naming it, before it looks at the disk", async () => {
  const check = checker({ deniedFields: ["mcp_config", "settings"] });
  await assertForbidden(
    check({ prompt: "x", cwd: "/nowhere", settings: { env: {} } }),
    "settings",
    /the field "settings" is not allowed/,
  );
  // A field left out, or sent as undefined, is not used.
  await check({ prompt: "x", cwd: "/work", mcp_config: undefined });
});

Deno.test("checkChatRequest() gives the real cwd and the directory a resumed session records", async () => {
  const checked = await checker({ allowedRoots: ["/work", "/outside"] }, { [SESSION]: "/work/a" })({
    prompt: "x",
    cwd: "/work/link",
    session_id: SESSION,
  });
  assert.deepEqual(checked, { cwd: "/outside", sessionCwd: "/work/a", realPaths: { cwd: "/outside" } });
});

Deno.test("checkChatRequest() refuses a session recorded outside the roots, by its real path", async () => {
  const recorded = { [SESSION]: "/workshop/repo" };
  await assertForbidden(
    checker({ allowedRoots: ["/work"] }, recorded)({ prompt: "x", cwd: "/work", session_id: SESSION }),
    "session_id",
    /session_id "0b6f5b8e-[^"]+" belongs to "\/workshop\/repo", which is outside the allowed roots: \/work/,
  );
  // A link under the roots that leads outside them does not make the session inside.
  const linked = checker({ allowedRoots: ["/work"] }, { [SESSION]: "/work/link" });
  await assertForbidden(linked({ prompt: "x", cwd: "/work", session_id: SESSION }), "session_id", /outside/);
});

Deno.test("checkChatRequest() refuses, under roots, a session whose transcript records no directory", async () => {
  const check = checker({ allowedRoots: ["/work"] }, { [SESSION]: null });
  await assertForbidden(
    check({ prompt: "x", cwd: "/work", session_id: SESSION }),
    "session_id",
    /records no/,
  );
});

Deno.test("checkChatRequest() lets an unknown session through: there is no transcript to leak", async () => {
  const checked = await checker({ allowedRoots: ["/work"] })({
    prompt: "x",
    cwd: "/work",
    session_id: SESSION,
  });
  assert.equal(checked.sessionCwd, null);
});

Deno.test("checkChatRequest() settles with the real paths it checked, for the chat to run on", async () => {
  const check = createCheckChatRequest({
    directories: new FakeDirectories(["/work"], ["/work/plugin.zip"], {
      "/link": "/work/p",
      "/zip": "/work/plugin.zip",
    }),
    sessions: new FakeSessionTranscripts({}),
    policy: { ...OPEN, allowedRoots: ["/work"] },
  });
  const checked = await check({
    prompt: "x",
    cwd: "/link",
    add_dir: ["/link", "/work"],
    plugin_dir: ["/zip"],
    model: "m",
  });
  assert.deepEqual(checked.realPaths, {
    cwd: "/work/p",
    add_dir: ["/work/p", "/work"],
    plugin_dir: ["/work/plugin.zip"],
  });
  assert.deepEqual((await check({ prompt: "x", cwd: "/work" })).realPaths, { cwd: "/work" });
});
