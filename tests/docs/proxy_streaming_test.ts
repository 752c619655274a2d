import assert from "node:assert/strict";
import { FAKE_CLI } from "../../testkit/processes.ts";
import { SERVER_PASSWORD, SERVER_USER, spawnServer } from "../../testkit/server_process.ts";
import { canRun, runTool } from "../../testkit/run_tool.ts";

const PROXY = new URL("../../examples/proxy/", import.meta.url).pathname;
/** The fake CLI prints this many lines, this many seconds apart. */
const LINES = 4;
const PACE_S = 0.4;

/** A free loopback port (taken and released at once). */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

/** Starts `command` and waits until `port` accepts connections; the returned function stops it. */
async function startProxy(command: string, args: string[], port: number, env: Record<string, string> = {}) {
  const child = new Deno.Command(command, { args, env, stdin: "null", stdout: "null", stderr: "piped" })
    .spawn();
  const errors = child.stderr.pipeThrough(new TextDecoderStream());
  let log = "";
  const draining = (async () => {
    for await (const text of errors) log += text;
  })();
  for (let attempt = 0;; attempt++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      break;
    } catch {
      assert.ok(attempt < 100, `${command} did not listen on ${port}:\n${log}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return async () => {
    child.kill("SIGTERM");
    await child.status;
    await draining;
  };
}

/**
 * POSTs a paced chat through `url` with curl (TLS not verified: the certificates are made up for the test)
 * and returns the arrival time in seconds of each `message` event, by the test's clock.
 */
async function arrivalTimes(url: string): Promise<number[]> {
  const child = new Deno.Command("curl", {
    args: [
      "-sSNk",
      "-u",
      `${SERVER_USER}:${SERVER_PASSWORD}`,
      "-H",
      "Content-Type: application/json",
      "-d",
      JSON.stringify({ prompt: `slow ${LINES} ${PACE_S}`, cwd: "/tmp" }),
      `${url}/chat`,
    ],
    stdout: "piped",
  }).spawn();
  const started = performance.now();
  const times: number[] = [];
  let pending = "";
  for await (const text of child.stdout.pipeThrough(new TextDecoderStream())) {
    pending += text;
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      if (line.startsWith('data: {"type":"assistant"')) times.push((performance.now() - started) / 1000);
    }
  }
  assert.equal((await child.status).code, 0);
  return times;
}

/** Events came one by one, paced like the CLI's lines, not all at the end. */
function assertStreamed(times: number[]) {
  assert.equal(times.length, LINES, `events: ${times}`);
  const gaps = times.slice(1).map((time, index) => time - times[index]);
  assert.ok(gaps.every((gap) => gap > PACE_S / 2), `arrival times ${times.map((t) => t.toFixed(2))}`);
}

/** A self-signed certificate for localhost, made with openssl in `dir`. */
async function selfSignedCertificate(dir: string): Promise<{ cert: string; key: string }> {
  const cert = `${dir}/cert.pem`;
  const key = `${dir}/key.pem`;
  const made = await runTool("openssl", [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "1",
    "-subj",
    "/CN=localhost",
    "-keyout",
    key,
    "-out",
    cert,
  ]);
  assert.equal(made.code, 0, made.stderr);
  return { cert, key };
}

/**
 * Starts a gateway with the fake CLI and, in front of it, the proxy `launch` starts (given a scratch
 * directory, the gateway's URL and the port to serve HTTPS on; it returns a stop function), then checks the streaming.
 */
async function checkProxy(
  launch: (dir: string, upstream: string, port: number) => Promise<() => Promise<void>>,
) {
  const dir = await Deno.makeTempDir({ prefix: "proxy-" });
  const server = await spawnServer({ CLAUDE_PATH: FAKE_CLI });
  try {
    const port = freePort();
    const stop = await launch(dir, server.url, port);
    try {
      assertStreamed(await arrivalTimes(`https://localhost:${port}`));
    } finally {
      await stop();
    }
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name: "the README's nginx block serves HTTPS and passes each event on as the CLI prints it",
  ignore: !canRun(["nginx", "openssl", "curl"]),
  fn: () =>
    checkProxy(async (dir, upstream, port) => {
      const { cert, key } = await selfSignedCertificate(dir);
      const site = (await Deno.readTextFile(`${PROXY}nginx.conf`))
        .replace("listen 443 ssl;", `listen 127.0.0.1:${port} ssl;`)
        .replace("/etc/letsencrypt/live/api.example.com/fullchain.pem", cert)
        .replace("/etc/letsencrypt/live/api.example.com/privkey.pem", key)
        .replace("http://127.0.0.1:9876", upstream);
      const temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]
        .map((what) => `${what}_temp_path ${dir}/${what};`).join("\n");
      await Deno.writeTextFile(
        `${dir}/nginx.conf`,
        `daemon off;\nmaster_process off;\npid ${dir}/nginx.pid;\nerror_log stderr;\nevents {}\n` +
          `http {\naccess_log off;\n${temp}\n${site}\n}\n`,
      );
      return startProxy("nginx", ["-p", dir, "-e", "stderr", "-c", `${dir}/nginx.conf`], port);
    }),
});

Deno.test({
  name: "the README's Caddyfile serves HTTPS and passes each event on as the CLI prints it",
  ignore: !canRun(["caddy", "curl"]),
  fn: () =>
    checkProxy(async (dir, upstream, port) => {
      // Test-only global options: Caddy's own CA instead of Let's Encrypt, no admin API, nothing in $HOME.
      const global = `{\n\tadmin off\n\tlocal_certs\n\tskip_install_trust\n\thttp_port ${freePort()}\n` +
        `\tauto_https disable_redirects\n\tstorage file_system ${dir}/data\n}\n`;
      const site = (await Deno.readTextFile(`${PROXY}Caddyfile`))
        .replace("api.example.com {", `localhost:${port} {`)
        .replace("127.0.0.1:9876", new URL(upstream).host);
      await Deno.writeTextFile(`${dir}/Caddyfile`, global + site);
      const env = { HOME: dir, XDG_CONFIG_HOME: `${dir}/config`, XDG_DATA_HOME: `${dir}/data` };
      return startProxy(
        "caddy",
        ["run", "--adapter", "caddyfile", "--config", `${dir}/Caddyfile`],
        port,
        env,
      );
    }),
});
