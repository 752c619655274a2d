import type { MiddlewareHandler } from "hono";
import { HttpError } from "./error_response.ts";

/** The JSON media types `@hono/zod-openapi` lets through to a JSON body (its own test, so the two agree). */
const JSON_CONTENT_TYPE = /^application\/([a-z-\.]+\+)?json(;\s*[a-zA-Z0-9\-]+\=([^;]+))*$/i;

function invalidJson(message: string): HttpError {
  return new HttpError(400, "invalid_json", message);
}

/**
 * Reads a request body as bytes, refusing more than `maxBytes` (by `Content-Length` at once, else while
 * reading, so a chunked upload cannot exceed it either).
 * @throws {HttpError} 413 when too large
 */
async function readBytes(request: Request, maxBytes: number): Promise<Uint8Array> {
  const tooLarge = () =>
    new HttpError(413, "payload_too_large", `request body is larger than ${maxBytes} bytes`);
  const declared = Number(request.headers.get("Content-Length") ?? "NaN");
  if (declared > maxBytes) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        throw tooLarge();
      }
      chunks.push(value);
    }
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

/**
 * Decodes and parses a body that must be one JSON object.
 * @throws {HttpError} 400 `invalid_json` when it is not UTF-8, empty, not JSON or not an object
 */
function parseObject(bytes: Uint8Array): string {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw invalidJson("request body is not valid UTF-8");
  }
  if (text.trim() === "") throw invalidJson("request body is empty; expected a JSON object");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw invalidJson(`request body is not valid JSON: ${reason}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw invalidJson("request body must be a JSON object");
  }
  return text;
}

function unsupported(contentType: string | undefined): HttpError {
  const given = contentType === undefined
    ? "Content-Type is missing"
    : `Content-Type "${contentType.split(";")[0].trim()}" is not supported`;
  return new HttpError(415, "unsupported_media_type", `${given}; send application/json`);
}

/**
 * Route middleware for a JSON object body: refuses a body that is not declared as JSON (415: a browser
 * form or a `no-cors` fetch cannot send `application/json`, so this also shuts out cross-site posts), one
 * larger than `maxBytes` (413) and one that is not a JSON object (400). It then hands the text to Hono's
 * body cache, where the route's validator reads it instead of the spent stream.
 * @param maxBytes the largest body accepted
 * @throws {HttpError} 415, 413 or 400 as above
 */
export function jsonBody(maxBytes: number): MiddlewareHandler {
  return async (c, next) => {
    const contentType = c.req.header("Content-Type");
    if (contentType !== undefined && !JSON_CONTENT_TYPE.test(contentType)) throw unsupported(contentType);
    const text = parseObject(await readBytes(c.req.raw, maxBytes));
    if (contentType === undefined) throw unsupported(contentType);
    // Hono caches bodies as promises but types the cache by their values; `c.req.json()` reads `text`.
    Object.assign(c.req.bodyCache, { text: Promise.resolve(text) });
    await next();
  };
}
