import { z } from "@hono/zod-openapi";
import { IMAGE_MEDIA_TYPES } from "../domain/chat_request.ts";

/** A 1×1 PNG: the example image of the document. */
const EXAMPLE_PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

/** One image sent with a prompt. Its size and content are checked after validation (`checkImages`). */
export const ImageSchema = z.strictObject({
  media_type: z.enum(IMAGE_MEDIA_TYPES).openapi({ example: "image/png" }),
  data: z.string().openapi({
    description: "The image as standard base64 (no `data:` prefix), at most MAX_IMAGE_BYTES decoded.",
    example: EXAMPLE_PNG,
  }),
}).openapi("Image");

/** The images of a prompt, in the order the model sees them (before the prompt's text). */
export const ImagesSchema = z.array(ImageSchema).min(1).max(20).openapi({
  description: "Images sent with the prompt (png, jpeg, gif, webp), each at most MAX_IMAGE_BYTES decoded; " +
    "a broken one is a 422 naming it. The CLI keeps them in the session.",
  example: [{ media_type: "image/png", data: EXAMPLE_PNG }],
});
