import { LOG_LEVELS, type LogFields, type Logger, type LogLevel } from "../application/logger.ts";

function format(value: string | number | boolean | null): string {
  if (typeof value !== "string") return String(value);
  return /^[\w.:/@+-]+$/.test(value) ? value : JSON.stringify(value);
}

/**
 * A {@link Logger} writing one `key=value` line per event to stderr (journald adds the time), skipping
 * levels below `level`.
 * @param level the least severe level written
 * @param write where lines go (tests capture them)
 */
export function createConsoleLogger(
  level: LogLevel,
  write: (line: string) => void = (line) => console.error(line),
): Logger {
  const threshold = LOG_LEVELS.indexOf(level);
  const log = (at: LogLevel) => (message: string, fields: LogFields = {}) => {
    if (LOG_LEVELS.indexOf(at) < threshold) return;
    const parts = [`level=${at}`, `msg=${format(message)}`];
    for (const [key, value] of Object.entries(fields)) {
      if (value !== undefined) parts.push(`${key}=${format(value)}`);
    }
    write(parts.join(" "));
  };
  return { debug: log("DEBUG"), info: log("INFO"), warn: log("WARN"), error: log("ERROR") };
}
