import type { Hook, z } from "@hono/zod-openapi";
import type { Env } from "hono";
import { type FieldProblem, HttpError } from "./error_response.ts";

/**
 * The start of `value` as JSON, a little over `max` characters at most: it stops there, so a huge value is
 * never serialised whole (its nesting is bounded by the body's shape limits).
 */
function jsonStart(value: unknown, max: number): string {
  let out = "";
  const write = (text: string) => {
    out += text;
  };
  const walk = (item: unknown): void => {
    if (typeof item === "string") write(JSON.stringify(item.slice(0, max + 1)));
    else if (Array.isArray(item)) {
      write("[");
      for (let i = 0; i < item.length && out.length <= max; i++) {
        if (i > 0) write(",");
        walk(item[i]);
      }
      write("]");
    } else if (typeof item === "object" && item !== null) {
      write("{");
      let first = true;
      for (const key in item) {
        if (out.length > max) break;
        write(`${first ? "" : ","}${JSON.stringify(key)}:`);
        first = false;
        walk(Reflect.get(item, key));
      }
      write("}");
    } else write(JSON.stringify(item) ?? String(item));
  };
  walk(value);
  return out;
}

function show(value: unknown): string {
  const text = jsonStart(value, 120);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== "object" || value === null) return undefined;
    value = Reflect.get(value, key);
  }
  return value;
}

/** Turns zod issues into one problem per bad field, each naming the field and the value it had. */
export function fieldProblems(error: z.ZodError, input: unknown): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        problems.push({ field: [...issue.path, key].join("."), message: `unknown field "${key}"` });
      }
      continue;
    }
    const field = issue.path.map(String).join(".") || "(body)";
    const value = valueAt(input, issue.path);
    problems.push({
      field,
      message: value === undefined ? `${field} is required` : `${field} ${show(value)}: ${issue.message}`,
    });
  }
  return problems;
}

/**
 * The `defaultHook` of the app: input that fails its route's schema is a 422 `validation_error` whose
 * `details` name each bad field and its value (the app's `onError` renders it).
 * @throws {HttpError} 422 when validation failed
 */
export const validationHook: Hook<unknown, Env, string, void> = (result) => {
  if (result.success) return;
  // The validator passes the input it checked along with the zod result.
  const input = "data" in result ? result.data : undefined;
  const details = fieldProblems(result.error, input);
  throw new HttpError(422, "validation_error", details.map((problem) => problem.message).join("; "), details);
};
