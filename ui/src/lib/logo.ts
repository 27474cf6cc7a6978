// An image file made into a logo small enough for the academy document,
// which every device holds: at most 256 px a side, PNG when it fits the
// limit, else WebP or JPEG.
import type { CommandError } from "./bindings";

/** As the academy document allows (core's `LOGO_MAX_BYTES`). */
export const LOGO_MAX_BYTES = 48 * 1024;
const SIDE = 256;

/** The size that fits `width` × `height` within `side` a side, never enlarged. */
export function fitWithin(width: number, height: number, side: number): { width: number; height: number } {
  const scale = Math.min(1, side / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** The bytes a base64 `data:` URL holds. */
export function dataUrlBytes(url: string): number {
  const data = url.slice(url.indexOf(",") + 1);
  return Math.floor((data.length * 3) / 4) - (data.endsWith("==") ? 2 : data.endsWith("=") ? 1 : 0);
}

function problem(message: string): CommandError {
  return { code: "invalid", message };
}

/** The logo made from an image file, as a `data:` URL. */
export async function logoFrom(file: Blob): Promise<string> {
  const image = new Image();
  let source: string | undefined;
  try {
    source = URL.createObjectURL(file);
    image.src = source;
    await image.decode();
  } catch {
    throw problem("That file is not an image this device can read: use a PNG, JPEG or WebP.");
  } finally {
    if (source) URL.revokeObjectURL(source);
  }
  const size = fitWithin(image.naturalWidth, image.naturalHeight, SIDE);
  const canvas = document.createElement("canvas");
  canvas.width = size.width;
  canvas.height = size.height;
  const context = canvas.getContext("2d");
  if (!context) throw problem("This device cannot resize images.");
  context.drawImage(image, 0, 0, size.width, size.height);
  for (const [type, quality] of [["image/png", undefined], ["image/webp", 0.9], ["image/jpeg", 0.85]] as const) {
    const url = canvas.toDataURL(type, quality);
    // A type the device cannot write comes back as PNG.
    if (url.startsWith(`data:${type};`) && dataUrlBytes(url) <= LOGO_MAX_BYTES) return url;
  }
  throw problem("That image is too detailed for a logo even when shrunk: try a simpler one.");
}
