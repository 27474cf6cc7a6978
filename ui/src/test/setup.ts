// Each component test starts from an empty page: components are unmounted
// (they unlisten and stop the camera) before the mocked shell goes away.
import { afterEach } from "vitest";
import { cleanup } from "@testing-library/svelte";
import { clearMocks } from "@tauri-apps/api/mocks";

afterEach(async () => {
  cleanup();
  // Unlistening finishes a task later.
  await new Promise((done) => setTimeout(done, 0));
  clearMocks();
});

// jsdom lays nothing out, so nothing ever scrolls into view: the roster's
// next page is not asked for.
globalThis.IntersectionObserver ??= class {
  observe() {}
  unobserve() {}
  disconnect() {}
  takeRecords() {
    return [];
  }
} as unknown as typeof IntersectionObserver;
