import type { OpenAPIHono } from "@hono/zod-openapi";
import { OPENAPI_CONFIG } from "./openapi_document.ts";

const JS = "text/javascript; charset=utf-8";
const CSS = "text/css; charset=utf-8";
const HTML = "text/html; charset=utf-8";

/** One file the docs pages load, read on first request. */
interface AssetSource {
  type: string;
  load: () => Promise<string>;
}

/** A loaded asset, kept in memory for the life of the app. */
interface Asset {
  type: string;
  body: string;
  etag: string;
}

/**
 * A source map comment makes browsers with open dev tools fetch a `.map` file we do not serve; the bundles
 * work the same without it.
 */
function withoutSourceMap(code: string): string {
  return code.replace(/\n\/[/*][#@] sourceMappingURL=[^\n]*\s*$/, "\n");
}

/**
 * ReDoc's side menu shows the Redocly logo from cdn.redoc.ly: the one request it would make to another
 * host. It becomes an inline image, so the page loads nothing from elsewhere.
 */
const REDOCLY_LOGO_URL = "https://cdn.redoc.ly/redoc/logo-mini.svg";
const EMPTY_SVG = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='1' height='1'/%3E";

function localRedoc(code: string): string {
  return withoutSourceMap(code).replaceAll(REDOCLY_LOGO_URL, EMPTY_SVG);
}

// Relative URLs throughout: the pages work unchanged behind a proxy that mounts the gateway under a prefix.
const SWAGGER_INITIALIZER = `"use strict";
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: new URL("openapi.json", document.baseURI).href,
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    validatorUrl: null,
    queryConfigEnabled: false,
    displayRequestDuration: true,
    persistAuthorization: false,
  });
});
`;

const SYSTEM_FONTS = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

// No Google Fonts: ReDoc falls back to the system fonts named here.
const REDOC_INITIALIZER = `"use strict";
Redoc.init(new URL("openapi.json", document.baseURI).href, {
  expandResponses: "200",
  requiredPropsFirst: true,
  theme: {
    typography: {
      fontFamily: ${JSON.stringify(SYSTEM_FONTS)},
      headings: { fontFamily: ${JSON.stringify(SYSTEM_FONTS)} },
      code: { fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace" },
    },
  },
}, document.getElementById("redoc"));
`;

// Each import is a literal so `deno install --entrypoint`/`deno compile` see and fetch the files.
const ASSETS: Record<"docs" | "redoc", Record<string, AssetSource>> = {
  docs: {
    "swagger-ui-bundle.js": {
      type: JS,
      load: async () =>
        withoutSourceMap(
          (await import("swagger-ui-dist/swagger-ui-bundle.js", { with: { type: "text" } })).default,
        ),
    },
    "swagger-ui.css": {
      type: CSS,
      load: async () =>
        withoutSourceMap(
          (await import("swagger-ui-dist/swagger-ui.css", { with: { type: "text" } })).default,
        ),
    },
    "index.css": {
      type: CSS,
      load: async () => (await import("swagger-ui-dist/index.css", { with: { type: "text" } })).default,
    },
    "swagger-initializer.js": { type: JS, load: () => Promise.resolve(SWAGGER_INITIALIZER) },
  },
  redoc: {
    "redoc.standalone.js": {
      type: JS,
      load: async () =>
        localRedoc((await import("redoc/bundles/redoc.standalone.js", { with: { type: "text" } })).default),
    },
    "redoc-initializer.js": { type: JS, load: () => Promise.resolve(REDOC_INITIALIZER) },
  },
};

function page(title: string, head: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
${head}
</head>
<body>
${body}
</body>
</html>
`;
}

const SWAGGER_PAGE = page(
  "claudecode2api - Swagger UI",
  `<link rel="stylesheet" href="docs/swagger-ui.css">
<link rel="stylesheet" href="docs/index.css">
<link rel="icon" href="data:,">`,
  `<div id="swagger-ui"></div>
<script src="docs/swagger-ui-bundle.js"></script>
<script src="docs/swagger-initializer.js"></script>`,
);

const REDOC_PAGE = page(
  "claudecode2api - ReDoc",
  `<link rel="icon" href="data:,">
<style>body { margin: 0; padding: 0; }</style>`,
  `<div id="redoc"></div>
<script src="redoc/redoc.standalone.js"></script>
<script src="redoc/redoc-initializer.js"></script>`,
);

/**
 * Only this server: scripts and styles come from it (styles also inline, as both UIs set them at run time),
 * images may be inline, ReDoc's search runs in a blob worker.
 */
const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'self'",
].join("; ");

const PAGE_HEADERS = {
  "Content-Type": HTML,
  "Cache-Control": "no-cache",
  "Content-Security-Policy": PAGE_CSP,
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
};

async function etagOf(body: string): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body)));
  return `"${Array.from(hash.subarray(0, 12), (byte) => byte.toString(16).padStart(2, "0")).join("")}"`;
}

/**
 * Adds `/openapi.json` (the OpenAPI 3.1 document generated from the routes the app declared), `/docs`
 * (Swagger UI) and `/redoc` (ReDoc). Every file the pages load is served from here, read from the
 * `swagger-ui-dist` and `redoc` npm packages on first request and then kept in memory; nothing is fetched
 * from another host.
 * @param app the app to add the routes to, with every API route mounted (its auth middleware, if any, is
 *   already in place)
 * @param protect whether the docs are behind Basic Auth (`DOCS_AUTH`): their assets are then cached privately
 */
export function registerDocs(app: OpenAPIHono, protect: boolean): void {
  let openApiDocument: unknown = null;
  app.get("/openapi.json", (c) => {
    openApiDocument ??= app.getOpenAPI31Document(OPENAPI_CONFIG);
    return c.json(openApiDocument, 200, { "Cache-Control": "no-cache" });
  });

  const loaded = new Map<string, Promise<Asset>>();
  const assetCache = `${protect ? "private" : "public"}, max-age=86400`;
  const load = (key: string, source: AssetSource): Promise<Asset> => {
    let asset = loaded.get(key);
    if (!asset) {
      asset = source.load().then(async (body) => ({ type: source.type, body, etag: await etagOf(body) }));
      // A failed read (e.g. the package missing from the npm cache while offline) is retried next time.
      asset.catch(() => loaded.delete(key));
      loaded.set(key, asset);
    }
    return asset;
  };

  for (const [prefix, html] of [["docs", SWAGGER_PAGE], ["redoc", REDOC_PAGE]] as const) {
    const files = ASSETS[prefix];
    app.get(`/${prefix}`, (c) => c.body(html, 200, PAGE_HEADERS));
    app.get(`/${prefix}/`, (c) => c.redirect(`../${prefix}`, 301));
    app.get(`/${prefix}/:file`, async (c) => {
      const name = c.req.param("file");
      const source = Object.hasOwn(files, name) ? files[name] : undefined;
      if (!source) return c.notFound();
      const asset = await load(`${prefix}/${name}`, source);
      const headers = {
        "Content-Type": asset.type,
        "Cache-Control": assetCache,
        "ETag": asset.etag,
        "X-Content-Type-Options": "nosniff",
      };
      if (c.req.header("If-None-Match") === asset.etag) return c.body(null, 304, headers);
      return c.body(asset.body, 200, headers);
    });
  }
}
