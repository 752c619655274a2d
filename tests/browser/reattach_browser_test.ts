import assert from "node:assert/strict";
import { chromiumInstalled, launchChromium } from "../../testkit/chromium.ts";
import { FAKE_CLI } from "../../testkit/processes.ts";
import { SERVER_AUTH, spawnServer } from "../../testkit/server_process.ts";
import { startTcpProxy } from "../../testkit/tcp_proxy.ts";
import { waitFor } from "../../testkit/wait_for.ts";

const haveChromium = chromiumInstalled();
const inCi = Boolean(Deno.env.get("CI"));

/** What the page's own `EventSource` saw. */
interface Seen {
  lines: { id: string; seq: number }[];
  errors: number;
  done: string | null;
}

Deno.test({
  name: "a browser's EventSource with ?token= keeps receiving after the server side drops it, each line once",
  ignore: !haveChromium && !inCi,
  fn: async () => {
    const cwd = await Deno.makeTempDir({ prefix: "claudecode2api-reattach-browser-" });
    const server = await spawnServer({ CLAUDE_PATH: FAKE_CLI }, { cwd });
    const proxy = startTcpProxy({ hostname: "127.0.0.1", port: Number(new URL(server.url).port) });
    const browser = await launchChromium();
    try {
      // The chat's own client reads it to the end directly; the page watches it through the proxy.
      const response = await fetch(`${server.url}/chat`, {
        method: "POST",
        headers: { ...SERVER_AUTH, "Content-Type": "application/json" },
        body: JSON.stringify({ prompt: "slow 60 0.1", cwd }),
      });
      const owner = response.text();
      const url = `/chat/${response.headers.get("X-Process-ID")}/events?token=${
        response.headers.get("X-Watch-Token")
      }`;
      const page = await (await browser.newContext()).newPage();
      await page.goto(`${proxy.url}/health`);
      await page.evaluate((eventsUrl) => {
        const seen: Seen = { lines: [], errors: 0, done: null };
        (globalThis as unknown as { seen: Seen }).seen = seen;
        const source = new EventSource(eventsUrl);
        source.addEventListener("message", (event) => {
          const line = JSON.parse(event.data);
          if (typeof line.seq === "number") seen.lines.push({ id: event.lastEventId, seq: line.seq });
        });
        source.addEventListener("done", (event) => {
          seen.done = event.data;
          source.close();
        });
        source.onerror = () => seen.errors++;
      }, url);
      const seen = () => page.evaluate(() => (globalThis as unknown as { seen: Seen }).seen);
      await waitFor(async () => (await seen()).lines.length >= 10, "the page to get its first lines", 15_000);
      proxy.dropAll();
      await waitFor(
        async () => (await seen()).done !== null,
        "the page to get done after reconnecting",
        30_000,
      );
      const final = await seen();
      assert.ok(final.errors >= 1, "the connection was dropped under the page");
      assert.deepEqual(
        final.lines.map((line) => line.seq),
        Array.from({ length: 60 }, (_, index) => index + 1),
      );
      assert.equal(new Set(final.lines.map((line) => line.id)).size, 60, "no event twice");
      assert.equal(JSON.parse(final.done!).exit_code, 0);
      await owner;
    } finally {
      await browser.close();
      await proxy.close();
      await server.stop();
      await Deno.remove(cwd, { recursive: true });
    }
  },
});
