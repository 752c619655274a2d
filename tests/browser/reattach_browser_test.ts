import assert from "node:assert/strict";
import { chromiumInstalled, launchChromium } from "../../testkit/chromium.ts";
import { FAKE_CLI } from "../../testkit/processes.ts";
import { SERVER_AUTH, spawnServer } from "../../testkit/server_process.ts";
import { startTcpProxy } from "../../testkit/tcp_proxy.ts";
import { waitFor } from "../../testkit/wait_for.ts";

const haveChromium = chromiumInstalled();
const inCi = Boolean(Deno.env.get("CI"));

/** What the page's own `EventSource` saw: the `seq` of each line, errors (dropped connections), `done`. */
interface Seen {
  lines: number[];
  errors: number;
  done: string | null;
}

/** The README's browser example of watching a chat (the `js` block that opens an `EventSource`). */
async function readmeExample(): Promise<string> {
  const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
  const block = [...readme.matchAll(/^```js\n([\s\S]*?)^```$/gm)].find((match) =>
    match[1].includes("EventSource")
  );
  assert.ok(block, "the README shows a browser example with EventSource");
  return block[1];
}

Deno.test({
  name:
    "the README's EventSource example with ?token= keeps receiving after the server side drops it, each line once",
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
      const processId = response.headers.get("X-Process-ID")!;
      const watchToken = response.headers.get("X-Watch-Token")!;
      const page = await (await browser.newContext()).newPage();
      await page.goto(`${proxy.url}/health`);
      // The README's own browser example, run as it is shown.
      const example = await readmeExample();
      await page.evaluate(({ code, processId, watchToken }) => {
        const seen: Seen = { lines: [], errors: 0, done: null };
        (globalThis as unknown as { seen: Seen }).seen = seen;
        const show = (line: { seq?: number }) => {
          if (typeof line.seq === "number") seen.lines.push(line.seq);
        };
        const run = new Function("processId", "watchToken", "show", `${code}\nreturn source;`);
        const source: EventSource = run(processId, watchToken, show);
        source.addEventListener("done", (event) => seen.done = event.data);
        source.addEventListener("error", () => seen.errors++);
      }, { code: example, processId, watchToken });
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
        final.lines,
        Array.from({ length: 60 }, (_, index) => index + 1),
        "every line once, in order",
      );
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
