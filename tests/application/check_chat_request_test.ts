import assert from "node:assert/strict";
import { createCheckChatRequest } from "../../application/check_chat_request.ts";
import { ForbiddenError } from "../../domain/errors.ts";
import { FakeDirectories } from "../support/fakes.ts";

const directories = new FakeDirectories(["/work", "/workshop"]);

Deno.test("checkChatRequest() accepts the root itself and paths under it, and any path under /", async () => {
  for (const [root, cwd] of [["/work", "/work"], ["/work", "/work/project"], ["/", "/workshop/x"]]) {
    const check = createCheckChatRequest({
      directories,
      policy: { allowedRoots: [root], allowedPermissionModes: null },
    });
    await check({ prompt: "x", cwd });
  }
});

Deno.test("checkChatRequest() does not take a sibling that shares the root's prefix for inside it", async () => {
  const check = createCheckChatRequest({
    directories,
    policy: { allowedRoots: ["/work"], allowedPermissionModes: null },
  });
  await assert.rejects(check({ prompt: "x", cwd: "/workshop" }), ForbiddenError);
});

Deno.test("checkChatRequest() lets everything through when the policy restricts nothing", async () => {
  const check = createCheckChatRequest({
    directories,
    policy: { allowedRoots: null, allowedPermissionModes: null },
  });
  await check({ prompt: "x", cwd: "/workshop", permission_mode: "bypassPermissions", add_dir: ["/work"] });
});

Deno.test("checkChatRequest() settles with the request on the real paths it checked, other fields kept", async () => {
  const check = createCheckChatRequest({
    directories: new FakeDirectories(["/work"], ["/work/plugin.zip"], {
      "/link": "/work/p",
      "/zip": "/work/plugin.zip",
    }),
    policy: { allowedRoots: ["/work"], allowedPermissionModes: null },
  });
  assert.deepEqual(
    await check({ prompt: "x", cwd: "/link", add_dir: ["/link", "/work"], plugin_dir: ["/zip"], model: "m" }),
    {
      prompt: "x",
      cwd: "/work/p",
      add_dir: ["/work/p", "/work"],
      plugin_dir: ["/work/plugin.zip"],
      model: "m",
    },
  );
  assert.deepEqual(await check({ prompt: "x", cwd: "/work" }), { prompt: "x", cwd: "/work" });
});
