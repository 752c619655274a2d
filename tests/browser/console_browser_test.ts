/**
 * The web console in headless Chromium against a real gateway running the REAL `claude` CLI and the fake
 * Messages API: start a chat and read its answer, a Write tool call with its input and result, stop a slow
 * chat, reload mid-answer, open a past session and continue it, attach to a running chat from the list, an
 * axe-core check, and screenshots at 375 px and 1280 px in test-output/.
 *
 * Run: `deno test --allow-all tests/browser/console_browser_test.ts`
 */

import assert from "node:assert/strict";
import type { Browser } from "npm:playwright-core@1.65.1";
import { CHROMIUM, chromiumInstalled, launchChromium } from "../../testkit/chromium.ts";
import { reply } from "../e2e/fake_messages_api.ts";
import { Gateway, newMarker } from "../e2e/gateway_harness.ts";
import {
  assertClean,
  axeViolations,
  openConsole,
  OUTPUT,
  pickDirectory,
  startChat,
  waitDone,
} from "./console_page.ts";

const haveChromium = chromiumInstalled();
const inCi = Boolean(Deno.env.get("CI"));
if (!haveChromium && !inCi) {
  console.warn(`SKIPPED console browser tests: no ${CHROMIUM} (apt-get install chromium).`);
}

/** Words `w1 w2 … wN `, one per streamed piece, so a gap or a repeat shows in the text. */
const words = (count: number) => Array.from({ length: count }, (_, index) => `w${index + 1} `).join("");

Deno.test({
  name: "the console starts, shows, stops, reattaches to and continues chats of the real CLI",
  ignore: !haveChromium && !inCi,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (t) => {
    await Deno.mkdir(OUTPUT, { recursive: true });
    const gateway = await Gateway.start();
    let browser: Browser | undefined;
    try {
      // Inside the home: with no ALLOWED_CWD_ROOTS the directory picker offers the service user's home.
      const project = `${gateway.home}/project`;
      await Deno.mkdir(project);
      const cwd = await Deno.realPath(project);
      browser = await launchChromium();
      const desktop = await openConsole(browser, gateway.url);
      const { page } = desktop;
      const first = newMarker("first");

      await t.step("a chat started from the form shows its answer as Markdown, then its cost", async () => {
        gateway.script(first, () => reply.text("Here is **bold** text and a list:\n\n- one\n- two\n"));
        await startChat(page, cwd, `${first} say something`);
        await page.locator(".assistant-text strong", { hasText: "bold" }).waitFor();
        assert.equal(await page.locator(".assistant-text li").count(), 2);
        assert.match(await waitDone(page), /^Finished after/);
        const facts = await page.locator(".result-facts").innerText();
        assert.match(facts, /Turns\s+1/);
        assert.match(facts, /Cost\s+\$\d/);
        assert.match(await page.locator(".msg.user").innerText(), new RegExp(first));
        await page.screenshot({ path: `${OUTPUT}console-chat-1280.png`, fullPage: true });
      });

      await t.step("a Write tool call shows its input and result, and the file is written", async () => {
        const marker = newMarker("write");
        const file = `${cwd}/hello.txt`;
        gateway.script(
          marker,
          (request) =>
            request.rawBody.includes("tool_result")
              ? reply.text("I wrote `hello.txt`.")
              : reply.toolUse("Write", { file_path: file, content: "Hello from the console\n" }, {
                text: "Writing.",
              }),
        );
        await startChat(page, cwd, `${marker} write a file`);
        const tool = page.locator('details.tool[data-tool-name="Write"]');
        await tool.locator(".tool-status.ok").waitFor();
        await tool.locator("summary").click();
        assert.match(await tool.locator(".tool-input").innerText(), /"file_path": ".*hello\.txt"/);
        assert.match(await tool.locator(".tool-input").innerText(), /Hello from the console/);
        assert.match(await tool.locator(".tool-output").innerText(), /File created successfully/);
        await waitDone(page);
        assert.equal(await Deno.readTextFile(file), "Hello from the console\n");
        const phone = await openConsole(browser!, gateway.url, {
          width: 375,
          hash: page.url().replace(/^[^#]*/, ""),
        });
        await phone.page.locator('details.tool[data-tool-name="Write"] summary').click();
        await phone.page.locator(".note.done").waitFor();
        await phone.page.screenshot({ path: `${OUTPUT}console-tool-375.png`, fullPage: true });
        assertClean(phone, gateway.url);
        await phone.context.close();
      });

      await t.step("a slow chat is attached from the running list and stopped", async () => {
        const marker = newMarker("slow");
        gateway.script(marker, () => reply.slowText(words(200), 200, 100));
        const processId = await startChat(page, cwd, `${marker} take your time`);
        await page.locator(".draft-text", { hasText: "w3 " }).waitFor();
        const other = await openConsole(browser!, gateway.url, { hash: "#/running" });
        const row = other.page.locator(`tr[data-process-id="${processId}"]`);
        await row.getByRole("link", { name: "Open" }).click();
        await other.page.locator(".draft-text", { hasText: "w5 " }).waitFor();
        await other.page.getByRole("button", { name: "Stop" }).click();
        assert.match(await waitDone(other.page), /^Stopped \(cancelled\)/);
        assert.match(await waitDone(page), /^Stopped/);
        await gateway.waitNoCli();
        assertClean(other, gateway.url);
        await other.context.close();
      });

      await t.step("a reload mid-answer continues it without gaps or repeats", async () => {
        const marker = newMarker("reload");
        const text = words(60);
        gateway.script(marker, () => reply.slowText(text, 60, 150));
        await startChat(page, cwd, `${marker} count for me`);
        await page.locator(".draft-text", { hasText: "w10 " }).waitFor();
        await page.reload();
        // The prompt is shown again, and the answer so far is back before it goes on.
        await page.locator(".msg.user", { hasText: marker }).waitFor();
        await page.locator(".draft-text", { hasText: "w12 " }).waitFor();
        assert.ok((await page.locator(".draft-text").innerText()).startsWith("w1 w2 w3 "));
        await waitDone(page);
        assert.equal(await page.locator(".assistant-text").last().innerText(), text.trim());
        assert.equal(await page.locator(".msg.assistant").count(), 1, "one answer, shown once");
      });

      await t.step("a past session is opened from its directory and continued", async () => {
        await page.goto(page.url().replace(/#.*$/, "#/sessions"));
        await pickDirectory(page, "sessions-cwd", cwd);
        const item = page.locator(".sessions li", { hasText: first });
        await item.waitFor();
        assert.match(await page.locator(".sessions-view [role=status]").innerText(), /^4 sessions in /);
        await item.locator("a").click();
        await page.locator(".transcript-view .assistant-text strong", { hasText: "bold" }).waitFor();
        await page.screenshot({ path: `${OUTPUT}console-session-1280.png`, fullPage: true });
        const marker = newMarker("continue");
        gateway.script(marker, () => reply.text("Continued where we left off."));
        await page.locator("#continue-prompt").fill(`${marker} go on`);
        await page.getByRole("button", { name: "Continue" }).click();
        await page.locator("article.live .assistant-text", { hasText: "Continued where we left off." })
          .waitFor();
        await waitDone(page);
        // The model saw the earlier conversation: the CLI resumed the session.
        assert.ok(gateway.requestFor(marker).rawBody.includes(first), "the earlier prompt is in the history");
      });

      await t.step("no page asked another host for anything, and no script failed", () => {
        assertClean(desktop, gateway.url);
      });

      await t.step(
        "axe-core finds no serious violation in any view, light or dark, 375 px or 1280 px",
        async () => {
          const sessionHash = page.url().replace(/^[^#]*/, "");
          for (const options of [{ width: 1280 }, { width: 375, dark: true }]) {
            const checked = await openConsole(browser!, gateway.url, { ...options, bypassCsp: true });
            const found: string[] = [];
            for (const hash of ["#/", "#/running", "#/sessions", sessionHash]) {
              await checked.page.goto(`${gateway.url}/ui${hash}`);
              await checked.page.locator("main > *").first().waitFor();
              await checked.page.waitForLoadState("networkidle");
              found.push(...(await axeViolations(checked.page)).map((line) => `${hash}: ${line}`));
            }
            if (options.width === 375) {
              await checked.page.goto(`${gateway.url}/ui#/`);
              await checked.page.locator("button.dir").first().waitFor();
              await checked.page.screenshot({ path: `${OUTPUT}console-start-375-dark.png`, fullPage: true });
            }
            assert.deepEqual(found, [], JSON.stringify(options));
            await checked.context.close();
          }
        },
      );
    } finally {
      await browser?.close();
      await gateway.waitNoCli().catch(() => {});
      await gateway.close();
    }
  },
});
