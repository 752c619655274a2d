import assert from "node:assert/strict";
import type { Browser, Page } from "npm:playwright-core@1.65.1";
import { CHROMIUM, chromiumInstalled, launchChromium } from "../../testkit/chromium.ts";
import { FAKE_CLI } from "../../testkit/processes.ts";
import {
  SERVER_PASSWORD,
  SERVER_USER,
  type ServerProcess,
  spawnServer,
} from "../../testkit/server_process.ts";

const ROOT = new URL("../../", import.meta.url);
const OUTPUT = new URL("test-output/", ROOT).pathname;
const OPERATION_PATHS = ["/chat", "/chat/{process_id}", "/health", "/processes"];

const haveChromium = chromiumInstalled();
const inCi = Boolean(Deno.env.get("CI"));
if (!haveChromium && !inCi) {
  console.warn(
    `SKIPPED browser tests: no ${CHROMIUM} (apt-get install chromium). With CI set they fail instead.`,
  );
}

/** What a page did that the test checks afterwards. */
interface PageLog {
  requests: string[];
  problems: string[];
}

function watch(page: Page): PageLog {
  const log: PageLog = { requests: [], problems: [] };
  page.on("request", (request) => log.requests.push(request.url()));
  page.on("pageerror", (error) => log.problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") log.problems.push(`console error: ${message.text()}`);
  });
  return log;
}

/** Every request went to the gateway itself (inline `data:`/`blob:` URLs load nothing). */
function assertOnlyServer(log: PageLog, serverUrl: string): void {
  const origin = new URL(serverUrl).origin;
  const elsewhere = log.requests.filter((url) =>
    !/^(data|blob):/.test(url) && new URL(url).origin !== origin
  );
  assert.deepEqual(elsewhere, [], "requests to other hosts");
  assert.ok(log.requests.length > 2, "the page made requests at all");
}

async function withServerAndBrowser(
  fn: (server: ServerProcess, browser: Browser) => Promise<void>,
): Promise<void> {
  if (!haveChromium) throw new Error(`${CHROMIUM} not found; install it with apt-get install chromium`);
  await Deno.mkdir(OUTPUT, { recursive: true });
  const cwd = await Deno.makeTempDir({ prefix: "claudecode2api-browser-" });
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  try {
    server = await spawnServer({ CLAUDE_PATH: FAKE_CLI }, { cwd });
    browser = await launchChromium();
    await fn(server, browser);
  } finally {
    await browser?.close();
    await server?.stop();
    await Deno.remove(cwd, { recursive: true });
  }
}

async function openPage(browser: Browser, url: string): Promise<{ page: Page; log: PageLog }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const log = watch(page);
  await page.goto(url);
  return { page, log };
}

/** Swagger UI lists every operation. */
async function assertSwaggerListsOperations(page: Page): Promise<void> {
  await page.locator(".opblock").first().waitFor();
  const paths = await page.locator(".opblock-summary-path").evaluateAll((nodes) =>
    nodes.map((node) => node.getAttribute("data-path"))
  );
  for (const path of OPERATION_PATHS) {
    assert.ok(paths.includes(path), `Swagger UI lists ${path}: ${paths}`);
  }
  await page.screenshot({ path: `${OUTPUT}docs-swagger.png` });
}

/** Try it out on the open /health. */
async function tryHealth(page: Page): Promise<void> {
  const health = page.locator("#operations-service-health");
  await health.locator(".opblock-summary").click();
  await health.locator(".try-out__btn").click();
  await health.locator(".execute").click();
  const healthStatus = health.locator(".live-responses-table .response .response-col_status").first();
  await healthStatus.waitFor();
  assert.equal((await healthStatus.innerText()).trim(), "200");
  assert.match(
    await health.locator(".live-responses-table .response .response-col_description").first().innerText(),
    /"ok"/,
  );
  await page.screenshot({ path: `${OUTPUT}docs-swagger-health.png`, fullPage: true });
}

/** Authorize with basicAuth, then Try it out on the protected /processes. */
async function tryProcessesWithBasicAuth(page: Page, serverUrl: string): Promise<void> {
  await page.locator(".auth-wrapper .authorize").click();
  const dialog = page.locator(".dialog-ux .modal-ux");
  // The dialog offers each scheme (Basic Auth, Bearer key, x-api-key) in a form of its own.
  const basic = dialog.locator(".auth-container", { hasText: "basicAuth" });
  await basic.locator('input[name="username"]').fill(SERVER_USER);
  await basic.locator('input[name="password"]').fill(SERVER_PASSWORD);
  await basic.locator('button[type="submit"]').click();
  await dialog.locator(".btn-done").first().click();
  const processes = page.locator("#operations-chat-listProcesses");
  await processes.locator(".opblock-summary").click();
  await processes.locator(".try-out__btn").click();
  const sent = page.waitForRequest((request) => request.url() === `${serverUrl}/processes`);
  await processes.locator(".execute").click();
  assert.equal(
    (await sent).headers()["authorization"],
    `Basic ${btoa(`${SERVER_USER}:${SERVER_PASSWORD}`)}`,
  );
  const processesStatus = processes.locator(".live-responses-table .response .response-col_status")
    .first();
  await processesStatus.waitFor();
  assert.equal((await processesStatus.innerText()).trim(), "200");
  await processes.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${OUTPUT}docs-swagger-processes.png` });
}

/** ReDoc shows every path and each operation once. */
async function assertRedoc(browser: Browser, serverUrl: string): Promise<void> {
  const redoc = await openPage(browser, `${serverUrl}/redoc`);
  await redoc.page.locator('[data-section-id="operation/health"]').waitFor();
  const text = await redoc.page.locator("#redoc").innerText();
  for (const path of OPERATION_PATHS) assert.ok(text.includes(path), `ReDoc shows ${path}`);
  for (const operation of ["startChat", "cancelChat", "listProcesses", "health", "metrics"]) {
    assert.equal(
      await redoc.page.locator(`[data-section-id="operation/${operation}"]`).count(),
      1,
      operation,
    );
  }
  await redoc.page.screenshot({ path: `${OUTPUT}docs-redoc.png` });
  await redoc.page.locator('[data-section-id="operation/startChat"]').scrollIntoViewIfNeeded();
  await redoc.page.screenshot({ path: `${OUTPUT}docs-redoc-chat.png` });
  assertOnlyServer(redoc.log, serverUrl);
  assert.deepEqual(redoc.log.problems, []);
}

Deno.test({
  name: "the docs pages render from the gateway alone, and Swagger UI's Try it out works with Basic Auth",
  ignore: !haveChromium && !inCi,
  fn: () =>
    withServerAndBrowser(async (server, browser) => {
      const swagger = await openPage(browser, `${server.url}/docs`);
      await assertSwaggerListsOperations(swagger.page);
      await tryHealth(swagger.page);
      await tryProcessesWithBasicAuth(swagger.page, server.url);
      assertOnlyServer(swagger.log, server.url);
      assert.deepEqual(swagger.log.problems, []);
      await assertRedoc(browser, server.url);
    }),
});
