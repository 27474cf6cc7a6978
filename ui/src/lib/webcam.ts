// The webview's own camera (phones and tablets): its frames are made gray
// here and sent to the app's scanner, the same pipeline a desktop camera
// feeds.
import { pushFrame } from "./bindings";

/** Frames are sent this wide at most: enough for a card at arm's length. */
const WIDTH = 960;
const EVERY_MS = 100;

/** ITU-R BT.601 luma of RGBA pixels. */
export function toGray(rgba: Uint8ClampedArray): Uint8Array {
  const gray = new Uint8Array(rgba.length / 4);
  for (let i = 0; i < gray.length; i += 1) {
    const p = i * 4;
    gray[i] = (rgba[p] * 299 + rgba[p + 1] * 587 + rgba[p + 2] * 114 + 500) / 1000;
  }
  return gray;
}

export function toBase64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

/**
 * Shows the rear camera in `video` and sends its frames until `stop` is
 * aborted. Rejects when the camera cannot be had (denied, none).
 */
export async function sendWebcamFrames(video: HTMLVideoElement, stop: AbortSignal): Promise<void> {
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { facingMode: "environment", width: { ideal: 1280 }, height: { ideal: 720 } },
    audio: false,
  });
  stop.addEventListener("abort", () => stream.getTracks().forEach((t) => t.stop()));
  video.srcObject = stream;
  await video.play();
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true })!;
  while (!stop.aborted) {
    const scale = Math.min(1, WIDTH / video.videoWidth);
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    if (canvas.width > 0 && canvas.height > 0) {
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
      // A frame the scanner could not take is simply the next one's turn.
      await pushFrame(canvas.width, canvas.height, toBase64(toGray(data))).catch(() => undefined);
    }
    await new Promise((next) => setTimeout(next, EVERY_MS));
  }
}
