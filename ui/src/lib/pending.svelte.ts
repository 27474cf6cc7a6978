// What a form shows while its action runs: busy, then the refusal's words.
import type { CommandError } from "./bindings";

export class Pending {
  busy = $state(false);
  error = $state<string | null>(null);

  /** Runs `work`; false (and `error` set) when the shell refused it. */
  async run(work: () => Promise<unknown>): Promise<boolean> {
    this.busy = true;
    this.error = null;
    try {
      await work();
      return true;
    } catch (e) {
      this.error = (e as CommandError).message;
      return false;
    } finally {
      this.busy = false;
    }
  }
}
