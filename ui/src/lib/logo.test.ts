import { describe, expect, it } from "vitest";
import { dataUrlBytes, fitWithin } from "./logo";

describe("a logo", () => {
  it("shrinks to fit, keeping its shape, and is never enlarged", () => {
    expect(fitWithin(1024, 512, 256)).toEqual({ width: 256, height: 128 });
    expect(fitWithin(300, 900, 256)).toEqual({ width: 85, height: 256 });
    expect(fitWithin(64, 32, 256)).toEqual({ width: 64, height: 32 });
    expect(fitWithin(5000, 1, 256)).toEqual({ width: 256, height: 1 });
  });

  it("counts the bytes a data URL holds", () => {
    expect(dataUrlBytes(`data:image/png;base64,${btoa("abc")}`)).toBe(3);
    expect(dataUrlBytes(`data:image/png;base64,${btoa("abcd")}`)).toBe(4);
    expect(dataUrlBytes(`data:image/png;base64,${btoa("abcde")}`)).toBe(5);
  });
});
