import type { z } from "@hono/zod-openapi";

type Same<X, Y> = [X] extends [Y] ? ([Y] extends [X] ? true : false) : false;

/** `S` when it parses exactly `T` (same fields, each of the same type); `never` otherwise. */
type Exactly<T, S extends z.ZodType> = Same<T, z.output<S>> extends true
  ? Same<keyof T, keyof z.output<S>> extends true ? S : never
  : never;

/**
 * Pins a wire schema to the type it sends: `wireSchema<ChatDoneData>()(z.object({...}))` compiles only when
 * the schema's output and `ChatDoneData` have the same fields with the same types, both ways, so a field
 * added to either side alone is a type error. (`satisfies z.ZodType<T>` checks one way only and lets an
 * optional field go missing.)
 */
export function wireSchema<T>(): <S extends z.ZodType>(schema: S & Exactly<T, S>) => S {
  return (schema) => schema;
}
