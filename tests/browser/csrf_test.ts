import assert from "node:assert/strict";
import { chromiumInstalled, launchChromium } from "../../testkit/chromium.ts";
import { FAKE_CLI } from "../../testkit/processes.ts";
import {
  SERVER_AUTH,
  SERVER_PASSWORD,
  SERVER_USER,
  type ServerProcess,
  spawnServer,
} from "../../testkit/server_process.ts";
import { waitFor } from "../../testkit/wait_for.ts";

const haveChromium = chromiumInstalled();
const inCi = Boolean(Deno.env.get("CI"));

/**
 * A page of another site that, once loaded, sends the gateway a chat the two ways a page may without asking
 * the gateway first: a `fetch` in `no-cors` mode and an auto-submitted `text/plain` form (whose body is valid
 * JSON, the classic trick), both carrying the browser's credentials.
 */
function hostilePage(gateway: string, cwd: string): string {
  const payload = JSON.stringify({ prompt: "pwned", cwd });
  const name = payload.slice(0, -2) + ',"x":"';
  return `<!doctype html><title>hostile</title>
<form id="f" method="POST" enctype="text/plain" action="${gateway}/chat">
<input type="hidden" name='${name}' value='"}'>
</form>
<script>
fetch(${JSON.stringify(`${gateway}/chat`)}, {
  method: "POST", mode: "no-cors", credentials: "include",
  headers: { "Content-Type": "text/plain" }, body: ${JSON.stringify(payload)},
}).finally(() => document.getElementById("f").submit());
</script>`;
}

async function chatsStarted(server: ServerProcess): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`, { headers: SERVER_AUTH })).text();
  const match = text.match(/^claudecode2api_chats_started_total (\d+)$/m);
  assert.ok(match, "the metrics list chats_started");
  return Number(match[1]);
}

/** The requests of the server's log lines for POST /chat, as their status codes. */
function chatPosts(server: ServerProcess): string[] {
  return [...server.output().matchAll(/msg=http method=POST path=\/chat status=(\d+)/g)].map((m) => m[1]);
}

Deno.test({
  name: "a page of another site cannot start a chat with the browser's cached Basic credentials",
  ignore: !haveChromium && !inCi,
  fn: async () => {
    const cwd = await Deno.makeTempDir({ prefix: "claudecode2api-csrf-" });
    const server = await spawnServer({ CLAUDE_PATH: FAKE_CLI, LOG_LEVEL: "DEBUG" }, { cwd });
    const hostile = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      () => new Response(hostilePage(server.url, cwd), { headers: { "Content-Type": "text/html" } }),
    );
    const browser = await launchChromium();
    try {
      const context = await browser.newContext({
        httpCredentials: { username: SERVER_USER, password: SERVER_PASSWORD },
      });
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      // The user is logged in to the gateway: the browser holds its Basic credentials.
      assert.equal((await page.goto(`${server.url}/processes`))?.status(), 200);
      // `localhost` is another site than `127.0.0.1`, so the browser says `Sec-Fetch-Site: cross-site`.
      const attacker = `http://localhost:${hostile.addr.port}/`;
      const submitted = page.waitForURL(`${server.url}/chat`);
      await page.goto(attacker);
      await submitted;
      await waitFor(
        () => chatPosts(server).length >= 2,
        "both hostile requests to reach the gateway",
        15_000,
      );
      assert.deepEqual(chatPosts(server), ["403", "403"]);
      assert.match(await page.content(), /forbidden_origin/);
      assert.equal(await chatsStarted(server), 0);

      // The gateway's own page still works, with the same browser.
      await page.goto(`${server.url}/health`);
      const status = await page.evaluate(async ({ auth, cwd }) => {
        const response = await fetch("/chat", {
          method: "POST",
          headers: { ...auth, "Content-Type": "application/json" },
          body: JSON.stringify({ prompt: "hello", cwd }),
        });
        await response.text();
        return response.status;
      }, { auth: SERVER_AUTH, cwd });
      assert.equal(status, 200);
      assert.equal(await chatsStarted(server), 1);
    } finally {
      await browser.close();
      await hostile.shutdown();
      await server.stop();
      await Deno.remove(cwd, { recursive: true });
    }
  },
});
