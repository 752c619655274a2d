import { ConfigError } from "./config.ts";
import { parseDotenv } from "./dotenv.ts";

/**
 * The gateway's environment: the variables of a `.env` file, overridden by the real ones. A missing file is
 * no error.
 * @param path the `.env` file
 * @param variables the real environment
 * @throws {ConfigError} when the file cannot be read or is not `KEY=value` lines
 */
export function readEnv(path: string, variables: Record<string, string>): Record<string, string> {
  let fromFile: Record<string, string> = {};
  try {
    fromFile = parseDotenv(Deno.readTextFileSync(path));
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      throw new ConfigError(`cannot use .env: ${error instanceof Error ? error.message : error}`);
    }
  }
  return { ...fromFile, ...variables };
}
