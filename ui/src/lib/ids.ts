// Ids made here are UUIDv7 like the engine's (`Uuid::now_v7`): they sort by
// creation time and two devices offline never make the same one.

/** A fresh UUIDv7: 48 bits of Unix milliseconds, the version and variant, random bits. */
export function uuidv7(now: number = Date.now()): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  // Big-endian milliseconds; division because bitwise operators stop at 32 bits.
  for (let i = 5, ms = now; i >= 0; i -= 1, ms = Math.floor(ms / 256)) bytes[i] = ms % 256;
  bytes[6] = (bytes[6] & 0x0f) | 0x70;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
