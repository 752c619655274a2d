/**
 * The start-up line for a server that listens beyond loopback: it cannot tell whether a TLS proxy stands
 * in front of it, and Basic Auth over plain HTTP sends the password in the clear.
 *
 * @param hostname The address the server listens on (`HOST`).
 * @returns The line to print, or `undefined` for a loopback address.
 */
export function tlsHint(hostname: string): string | undefined {
  const loopback = hostname === "localhost" || hostname === "::1" || hostname === "[::1]" ||
    /^127\.\d+\.\d+\.\d+$/.test(hostname);
  if (loopback) return undefined;
  return `HOST=${hostname} serves plain HTTP beyond this machine: put a TLS proxy in front ` +
    '(README.md, "TLS with a reverse proxy") and set HOST=127.0.0.1.';
}
