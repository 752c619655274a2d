import type { OpenAPIHono } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";

/** One file of the console, read on first request and then kept in memory. */
interface Asset {
  type: string;
  load: () => Promise<string>;
}

// Literal imports, so `deno compile` and `deno install --entrypoint` take the files along.
const ASSETS: Record<string, Asset> = {
  "console.js": {
    type: "text/javascript; charset=utf-8",
    load: async () => (await import("../ui/dist/console.js", { with: { type: "text" } })).default,
  },
  "console.css": {
    type: "text/css; charset=utf-8",
    load: async () => (await import("../ui/console.css", { with: { type: "text" } })).default,
  },
};

// Relative URLs (the base is the gateway's root), so the console works behind a proxy that adds a prefix.
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>claudecode2api console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="ui/console.css">
<script type="module" src="ui/console.js"></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
<h1>claudecode2api</h1>
<nav aria-label="Console">
<ul>
<li><a href="#/" data-section="new">New chat</a></li>
<li><a href="#/running" data-section="running">Running</a></li>
<li><a href="#/sessions" data-section="sessions">Sessions</a></li>
</ul>
</nav>
</header>
<main id="main" tabindex="-1"></main>
</body>
</html>
`;

/**
 * Only this server, and nothing inline: the console's script and style sheet come from here, it talks to
 * this server only, and no page may frame it.
 */
const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const SECURITY_HEADERS = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
};

async function etagOf(body: string): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body)));
  return `"${Array.from(hash.subarray(0, 12), (byte) => byte.toString(16).padStart(2, "0")).join("")}"`;
}

/**
 * Adds the web console: `/ui` (its page) and `/ui/console.js`, `/ui/console.css` (its bundle, built from
 * `ui/` by `deno task build:ui`, and its style sheet), all behind `auth`. It uses the public API only, from
 * the same origin, with the credentials the browser asked for when the page was opened.
 * @param app the app to add the routes to
 * @param auth the Basic Auth every API route has
 */
export function registerConsole(app: OpenAPIHono, auth: MiddlewareHandler): void {
  app.use("/ui", auth);
  app.use("/ui/*", auth);
  // The page lives at /ui (no slash): its relative links then resolve against the gateway's root.
  app.get("/ui", (c) =>
    c.body(PAGE, 200, {
      "Content-Type": "text/html; charset=utf-8",
      "Cache-Control": "no-cache",
      "Content-Security-Policy": PAGE_CSP,
      ...SECURITY_HEADERS,
    }));
  app.get("/ui/", (c) => c.redirect("../ui", 301));

  const loaded = new Map<string, Promise<{ body: string; etag: string }>>();
  app.get("/ui/:file", async (c) => {
    const name = c.req.param("file");
    const asset = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
    if (!asset) return c.notFound();
    let file = loaded.get(name);
    if (!file) {
      file = asset.load().then(async (body) => ({ body, etag: await etagOf(body) }));
      file.catch(() => loaded.delete(name));
      loaded.set(name, file);
    }
    const { body, etag } = await file;
    // Revalidated each time: a new bundle after an upgrade is picked up at once.
    const headers = {
      "Content-Type": asset.type,
      "Cache-Control": "private, no-cache",
      ETag: etag,
      ...SECURITY_HEADERS,
    };
    if (c.req.header("If-None-Match") === etag) return c.body(null, 304, headers);
    return c.body(body, 200, headers);
  });
}
