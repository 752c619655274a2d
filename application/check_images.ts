import type { ChatImage, ImageMediaType } from "../domain/chat_request.ts";
import { InvalidFieldError } from "../domain/errors.ts";

/** The first bytes of each image type. */
const SIGNATURES: Record<ImageMediaType, (head: Uint8Array) => boolean> = {
  "image/png": (head) => startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  "image/jpeg": (head) => startsWith(head, [0xff, 0xd8, 0xff]),
  "image/gif": (head) => ascii(head, 0, 6) === "GIF87a" || ascii(head, 0, 6) === "GIF89a",
  "image/webp": (head) => ascii(head, 0, 4) === "RIFF" && ascii(head, 8, 12) === "WEBP",
};

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  return prefix.every((byte, i) => bytes[i] === byte);
}

function ascii(bytes: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...bytes.subarray(from, to));
}

/** Standard base64 in whole quanta: what decodes without loss (no `data:` prefix, no line breaks). */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function decodeBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
}

/**
 * Checks the images of a prompt before anything is sent to the CLI (which would silently turn a broken one
 * into a text note): each is well-formed base64, at most `maxBytes` once decoded, and starts as an image of
 * its declared type does. Only the first bytes are decoded, so a large image costs one regular-expression
 * pass.
 * @param images the images, in order
 * @param options `maxBytes`: the largest image (MAX_IMAGE_BYTES); `field`: the request field they came in
 * @throws {InvalidFieldError} naming the image (`images[1]`) and what is wrong with it
 */
export function checkImages(images: ChatImage[], options: { maxBytes: number; field?: string }): void {
  const field = options.field ?? "images";
  images.forEach((image, index) => {
    const name = `${field}[${index}]`;
    const { data, media_type: type } = image;
    if (data.length === 0 || !BASE64.test(data)) {
      throw new InvalidFieldError(
        `${name}.data`,
        `${name}.data is not valid base64 (standard alphabet, padded, no data: prefix, no line breaks)`,
      );
    }
    const bytes = data.length / 4 * 3 - (data.endsWith("==") ? 2 : data.endsWith("=") ? 1 : 0);
    if (bytes > options.maxBytes) {
      throw new InvalidFieldError(
        `${name}.data`,
        `${name} is ${bytes} bytes, more than MAX_IMAGE_BYTES (${options.maxBytes})`,
      );
    }
    if (!SIGNATURES[type](decodeBase64(data.slice(0, 16)))) {
      throw new InvalidFieldError(`${name}.media_type`, `${name}.data is not ${type} data`);
    }
  });
}
