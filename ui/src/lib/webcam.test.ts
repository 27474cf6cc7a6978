import { describe, expect, it } from "vitest";
import { toBase64, toGray } from "./webcam";

describe("webview camera frames", () => {
  it("become gray by luma: white, black, pure red, green and blue", () => {
    const rgba = new Uint8ClampedArray([255, 255, 255, 255, 0, 0, 0, 255, 255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255]);
    expect([...toGray(rgba)]).toEqual([255, 0, 76, 150, 29]);
  });

  it("travel as base64 of the gray bytes, however many", () => {
    const bytes = new Uint8Array(100_000).map((_, i) => i % 256);
    const decoded = Uint8Array.from(atob(toBase64(bytes)), (c) => c.charCodeAt(0));
    expect(decoded).toEqual(bytes);
  });
});
