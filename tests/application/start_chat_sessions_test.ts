import assert from "node:assert/strict";
import type { Chat } from "../../application/chat.ts";
import { createStartChat } from "../../application/start_chat.ts";
import { ForbiddenError, SessionBusyError } from "../../domain/errors.ts";
import { collectEvents as collect } from "../support/chat_events.ts";
import { FakeSessionTranscripts } from "../support/fake_session_transcripts.ts";
import { FakeDirectories } from "../support/fakes.ts";
import { fakeStartChatDeps } from "../support/start_chat_deps.ts";

const LATEST = "0b6f5b8e-6d1c-4b8f-9a43-2c9a0d9b8f11";
const OLDER = "11111111-1111-4111-8111-111111111111";

/** StartChat over fakes: `/work` (also reached as `/work/link` → `/work`), `/other`; sessions recorded in /work. */
function setup(policy: { allowedRoots: string[] | null; deniedFields?: string[] } = { allowedRoots: null }) {
  let ids = 0;
  const deps = fakeStartChatDeps({
    directories: new FakeDirectories(["/work", "/other", "/outside"], [], { "/work/link": "/work" }),
    sessions: new FakeSessionTranscripts(
      { [LATEST]: "/work", [OLDER]: "/work", "22222222-2222-4222-8222-222222222222": "/outside" },
      { "/work": LATEST },
    ),
    policy: { allowedPermissionModes: null, deniedFields: null, ...policy },
    newId: () => `p${++ids}`,
  });
  return { startChat: createStartChat(deps), runner: deps.runner };
}

/** Ends every fake CLI run and reads the chats to their end. */
async function finish(
  runner: ReturnType<typeof setup>["runner"],
  chats: Chat[],
): Promise<void> {
  runner.runs.forEach((run) => run.end());
  await Promise.all(chats.map((chat) => collect(chat.events)));
}

Deno.test("startChat() refuses a field the operator denies, even on a valid request", async () => {
  const { startChat } = setup({ allowedRoots: null, deniedFields: ["agents", "permission_mode"] });
  await assert.rejects(startChat({ prompt: "x", cwd: "/work", agents: { a: {} } }), ForbiddenError);
  // A denied field the gateway fills in from its defaults does not count: the client did not send it.
  const chat = await startChat({ prompt: "x", cwd: "/work" });
  assert.equal(chat.status, "running");
});

Deno.test("startChat() refuses to resume a session recorded outside the allowed roots", async () => {
  const { startChat } = setup({ allowedRoots: ["/work"] });
  await assert.rejects(
    startChat({ prompt: "x", cwd: "/work", session_id: "22222222-2222-4222-8222-222222222222" }),
    (error) => error instanceof ForbiddenError && error.field === "session_id",
  );
});

Deno.test("startChat() lets one continue run per directory, the same directory by any path", async () => {
  const { startChat, runner } = setup();
  const first = await startChat({ prompt: "x", cwd: "/work", continue: true });
  await assert.rejects(
    startChat({ prompt: "y", cwd: "/work/link", continue: true }),
    (error) =>
      error instanceof SessionBusyError &&
      /latest session in "\/work" is being continued/.test(error.message),
  );
  // Resuming the latest session by its id would write it too; an older one, a fork or another directory not.
  await assert.rejects(startChat({ prompt: "y", cwd: "/other", session_id: LATEST }), SessionBusyError);
  const older = await startChat({ prompt: "y", cwd: "/work", session_id: OLDER });
  const fork = await startChat({ prompt: "z", cwd: "/work", continue: true, fork_session: true });
  const other = await startChat({ prompt: "z", cwd: "/other", continue: true });
  await finish(runner, [first, older, fork, other]);
  const again = await startChat({ prompt: "y", cwd: "/work", continue: true });
  await finish(runner, [again]);
});

Deno.test("startChat() refuses to continue a directory whose latest session a running chat writes", async () => {
  const { startChat, runner } = setup();
  const writer = await startChat({ prompt: "x", cwd: "/other", session_id: LATEST });
  await assert.rejects(
    startChat({ prompt: "y", cwd: "/work", continue: true }),
    (error) => error instanceof SessionBusyError && error.sessionId === LATEST && error.processId === "p1",
  );
  await finish(runner, [writer]);
});
