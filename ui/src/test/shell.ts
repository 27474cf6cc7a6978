// A mocked shell for component tests: answers commands and records every
// call; with `events`, also `emit` to the screens as the app would.
import { mockIPC, mockWindows } from "@tauri-apps/api/mocks";

export type Call = { cmd: string; args: Record<string, unknown> };

/** Unanswered commands resolve to null, as commands returning `()` do. */
export function shell(
  answers: Record<string, (args: Record<string, unknown>) => unknown>,
  { events = false } = {},
): Call[] {
  const calls: Call[] = [];
  if (events) mockWindows("main");
  mockIPC(
    (cmd, args) => {
      calls.push({ cmd, args: args as Record<string, unknown> });
      return answers[cmd]?.(args as Record<string, unknown>) ?? null;
    },
    { shouldMockEvents: events },
  );
  return calls;
}
