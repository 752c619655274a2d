import { type Browser, chromium } from "npm:playwright-core@1.65.1";

/** Where Debian's Chromium lives (`apt-get install chromium`). */
export const CHROMIUM = "/usr/bin/chromium";

/** True when Debian's Chromium is installed. */
export function chromiumInstalled(): boolean {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
}

/**
 * Headless Chromium as this machine runs it: no sandbox (root), and none of the background connections a
 * closed network refuses.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    timeout: 20_000,
  });
}
