/**
 * The console's controls of interactive chats in headless Chromium against a real gateway running the REAL
 * `claude` CLI and the fake Messages API: a chat started from the form as interactive, in permission mode
 * `default`, with client permission prompts, asks before a Write; the page shows the tool and its input, the
 * test clicks Allow, the file is written and the page shows the tool's result; then a follow-up typed in the
 * page is answered in the same chat (the model sees the earlier turn).
 *
 * Run: `deno test --allow-all tests/browser/console_interactive_browser_test.ts`
 */

import assert from "node:assert/strict";
import type { Browser } from "npm:playwright-core@1.65.1";
import { CHROMIUM, chromiumInstalled, launchChromium } from "../../testkit/chromium.ts";
import { SERVER_AUTH } from "../../testkit/server_process.ts";
import { exists } from "../e2e/claude_home.ts";
import { reply } from "../e2e/fake_messages_api.ts";
import { Gateway, newMarker } from "../e2e/gateway_harness.ts";
import { writeThenText } from "../e2e/tool_scripts.ts";
import { assertClean, openConsole, pickDirectory, waitDone } from "./console_page.ts";

const haveChromium = chromiumInstalled();
const inCi = Boolean(Deno.env.get("CI"));
if (!haveChromium && !inCi) console.warn(`SKIPPED interactive console test: no ${CHROMIUM}.`);

Deno.test({
  name: "the console allows a real CLI's Write when asked, then follows up in the same chat",
  ignore: !haveChromium && !inCi,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const gateway = await Gateway.start();
    let browser: Browser | undefined;
    try {
      // Inside the home: with no ALLOWED_CWD_ROOTS the directory picker offers the service user's home.
      const project = `${gateway.home}/project`;
      await Deno.mkdir(project);
      const cwd = await Deno.realPath(project);
      const file = `${cwd}/asked.txt`;
      const marker = newMarker("asked");
      const final = `Wrote asked.txt ${marker}.`;
      gateway.script(marker, writeThenText(file, final, "Allowed from the console\n"));
      browser = await launchChromium();
      const opened = await openConsole(browser, gateway.url);
      const { page } = opened;

      // The form as a person fills it: interactive (client prompts), mode `default` (asks before edits).
      await pickDirectory(page, "cwd", cwd);
      await page.locator("#prompt").fill(`${marker} write asked.txt`);
      await page.locator("#permission-mode").selectOption("default");
      await page.getByLabel("Interactive: ask me before tools run, allow follow-ups").check();
      await page.getByRole("button", { name: "Start chat" }).click();
      const live = page.locator("article.live");
      await live.waitFor();
      const processId = (await live.getAttribute("data-process-id"))!;

      const card = page.locator(".permission");
      await card.getByRole("heading", { name: "May Claude use Write?" }).waitFor();
      const shown = await card.locator("pre").innerText();
      assert.match(shown, new RegExp(`"file_path": "${file.replaceAll("/", "\\/")}"`));
      assert.match(shown, /"content": "Allowed from the console\\n"/);
      assert.equal(await exists(file), false, "nothing is written before the answer");
      const [asked] = await chatPermissions(gateway, processId);
      assert.equal(asked?.tool_name, "Write", "the gateway holds the request the page shows");

      await card.getByRole("button", { name: "Allow" }).click();
      await card.getByText("Allowed (client).").waitFor();
      assert.equal(await card.getByRole("button").count(), 0, "an answered request takes no more answers");
      const tool = page.locator('details.tool[data-tool-name="Write"]');
      await tool.locator(".tool-status.ok").waitFor();
      await tool.locator("summary").click();
      assert.match(await tool.locator(".tool-output").innerText(), /File created successfully/);
      await page.locator(".assistant-text", { hasText: final }).waitFor();
      assert.equal(await Deno.readTextFile(file), "Allowed from the console\n");
      assert.deepEqual(await chatPermissions(gateway, processId), [], "no request is left open");

      // The chat stays open: a follow-up typed in the page is the next turn of the same CLI and session.
      const next = newMarker("next");
      gateway.script(next, () => reply.text(`Follow-up answered ${next}.`));
      await page.locator("#followup").fill(`${next} and now?`);
      await page.getByRole("button", { name: "Send" }).click();
      await page.locator(".assistant-text", { hasText: `Follow-up answered ${next}.` }).waitFor();
      assert.equal(await page.locator("#followup").inputValue(), "", "the sent text leaves the box");
      const history = gateway.requestFor(next).rawBody;
      assert.ok(history.includes(marker) && history.includes(final), "the model saw the first turn");
      assert.equal(page.url().replace(/^[^#]*/, ""), `#/chat/${processId}`, "still the same chat");

      // Ended from the page, as every chat ends.
      await page.getByRole("button", { name: "Stop" }).click();
      assert.match(await waitDone(page), /^Stopped/);
      await gateway.waitNoCli();
      assertClean(opened, gateway.url);
      await opened.context.close();
    } finally {
      await browser?.close();
      await gateway.waitNoCli().catch(() => {});
      await gateway.close();
    }
  },
});

/** The chat's open permission requests, as the gateway lists them. */
async function chatPermissions(
  gateway: Gateway,
  processId: string,
): Promise<{ request_id: string; tool_name: string }[]> {
  const response = await fetch(`${gateway.url}/chat/${processId}/permissions`, {
    headers: SERVER_AUTH,
  });
  assert.equal(response.status, 200);
  return (await response.json()).permissions;
}
