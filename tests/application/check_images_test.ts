import assert from "node:assert/strict";
import { checkImages } from "../../application/check_images.ts";
import type { ChatImage, ImageMediaType } from "../../domain/chat_request.ts";
import { InvalidFieldError } from "../../domain/errors.ts";

/** Base64 of `bytes`, then `padTo` zero bytes after them. */
function base64(bytes: number[], padTo = bytes.length): string {
  const all = new Uint8Array(padTo);
  all.set(bytes);
  return btoa(String.fromCharCode(...all));
}

const ascii = (text: string) => [...text].map((char) => char.charCodeAt(0));
const PNG = base64([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 40);
const JPEG = base64([0xff, 0xd8, 0xff, 0xe0], 40);
const GIF = base64(ascii("GIF89a"), 40);
const WEBP = base64([...ascii("RIFF"), 0x20, 0, 0, 0, ...ascii("WEBPVP8 ")], 40);
const image = (media_type: ImageMediaType, data: string): ChatImage => ({ media_type, data });

/** Asserts that `images` are refused, naming `field`, with a message matching `pattern`. */
function assertRefused(images: ChatImage[], field: string, pattern: RegExp, maxBytes = 1024) {
  assert.throws(() => checkImages(images, { maxBytes }), (error: unknown) => {
    assert.ok(error instanceof InvalidFieldError);
    assert.equal(error.code, "validation_error");
    assert.equal(error.field, field);
    assert.match(error.message, pattern);
    return true;
  });
}

Deno.test("checkImages() takes png, jpeg, gif and webp images that are what they say", () => {
  checkImages([
    image("image/png", PNG),
    image("image/jpeg", JPEG),
    image("image/gif", GIF),
    image("image/gif", base64(ascii("GIF87a"))),
    image("image/webp", WEBP),
  ], { maxBytes: 1024 });
});

Deno.test("checkImages() refuses data that is not standard, padded base64, naming the image", () => {
  assertRefused(
    [image("image/png", PNG), image("image/png", "not base64!")],
    "images[1].data",
    /images\[1\]\.data is not valid base64/,
  );
  assertRefused([image("image/png", "")], "images[0].data", /not valid base64/);
  assertRefused([image("image/png", PNG.slice(0, -1))], "images[0].data", /not valid base64/);
  assertRefused([image("image/png", `data:image/png;base64,${PNG}`)], "images[0].data", /no data: prefix/);
  assertRefused(
    [image("image/png", `${PNG.slice(0, 20)}\n${PNG.slice(20)}`)],
    "images[0].data",
    /no line breaks/,
  );
  assertRefused([image("image/png", PNG.replaceAll("A", "-"))], "images[0].data", /standard alphabet/);
});

Deno.test("checkImages() refuses an image larger than MAX_IMAGE_BYTES once decoded, and takes one just as large", () => {
  const exact = base64([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 1024);
  checkImages([image("image/png", exact)], { maxBytes: 1024 });
  const over = base64([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 1025);
  assertRefused(
    [image("image/png", over)],
    "images[0].data",
    /images\[0\] is 1025 bytes, more than MAX_IMAGE_BYTES \(1024\)/,
  );
});

Deno.test("checkImages() refuses an image whose bytes are not of its declared type, naming its media_type", () => {
  assertRefused(
    [image("image/jpeg", PNG)],
    "images[0].media_type",
    /images\[0\]\.data is not image\/jpeg data/,
  );
  assertRefused([image("image/png", GIF)], "images[0].media_type", /is not image\/png data/);
  assertRefused([image("image/webp", base64(ascii("RIFF0000WAVE"), 40))], "images[0].media_type", /webp/);
  assertRefused([image("image/gif", base64(ascii("hello world!")))], "images[0].media_type", /gif/);
});

Deno.test("checkImages() names the field the images came in", () => {
  assert.throws(
    () => checkImages([image("image/png", "!!")], { maxBytes: 1024, field: "message.images" }),
    (error: unknown) => error instanceof InvalidFieldError && error.field === "message.images[0].data",
  );
});
