/** Bytes of randomness in a generated password: 192 bits. */
export const PASSWORD_BYTES = 24;

/**
 * A random password for a run without `AUTH_PASSWORD`: 192 bits as URL-safe base64 (32 characters, no
 * padding, nothing a shell or a URL needs to escape).
 */
export function generatePassword(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(PASSWORD_BYTES));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_");
}
