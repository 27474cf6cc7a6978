// Words and dates for people: what a refusal means, who someone is at a
// glance, when something happened.
import type { PassError, Refusal, Warning } from "./bindings";

export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : words;
  return letters.map((w) => [...w][0]?.toUpperCase() ?? "").join("");
}

/** Dark or white text, whichever reads better on `background` (#rrggbb). */
export function inkOn(background: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(background.slice(i, i + 2), 16) / 255);
  const linear = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  const luminance = 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
  // The WCAG contrast of white and of near-black text meet here.
  return luminance > 0.18 ? "#111827" : "#ffffff";
}

/** "Blue belt, 2 stripes" */
export function grade(rank: string | null, stripes: number): string {
  if (rank === null) return "No belt yet";
  if (stripes === 0) return rank;
  return `${rank}, ${stripes} stripe${stripes === 1 ? "" : "s"}`;
}

/** "18:05" from an RFC 3339 instant or a local "2026-12-01T18:05". */
export function clock(iso: string): string {
  const local = /T(\d\d:\d\d)/.exec(iso);
  if (local && !/[zZ]|[+-]\d\d:\d\d$/.test(iso)) return local[1];
  return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

/** A day on this device's calendar as ISO 8601: "2026-12-01". */
export function isoDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** "1 Dec 2026" from an ISO date. */
export function day(iso: string): string {
  const [y, m, d] = iso.split("-").map(Number);
  return new Date(y, m - 1, d).toLocaleDateString([], { day: "numeric", month: "short", year: "numeric" });
}

/** "just now", "5 min ago", "3 h ago", or the day. */
export function ago(iso: string, now: Date = new Date()): string {
  const seconds = Math.max(0, (now.getTime() - new Date(iso).getTime()) / 1000);
  if (seconds < 60) return "just now";
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  return day(isoDay(new Date(iso)));
}

function passProblem(error: PassError): string {
  switch (error.code) {
    case "malformed":
      return "This code is not a Tatami pass.";
    case "wrong_tenant":
      return "This pass belongs to another academy.";
    case "unknown_key":
      return "This pass was signed by a key this device does not know yet. Sync, then try again.";
    case "bad_signature":
      return "This pass has been altered and cannot be accepted.";
    case "expired":
      return `This phone pass expired at ${clock(error.expired_at)}. Open a fresh one in the app.`;
    case "not_yet_valid":
      return "This pass is not valid yet: check this tablet's clock.";
  }
}

/** Why someone was not let in, in words a person at the door understands. */
export function refusal(reason: Refusal): string {
  switch (reason.code) {
    case "invalid_pass":
      return passProblem(reason.error);
    case "unknown_student":
      return "This pass is genuine, but the student is not on this tablet yet. Sync, then try again.";
    case "card_revoked":
      return "This card has been replaced by a newer one. Please use the newest card.";
    case "pass_already_used":
      return `This phone pass was already used at ${clock(reason.at)}. Open a fresh one in the app.`;
    case "student_inactive":
      return "This membership is not active. Please see the front desk.";
    case "student_paused":
      return "This membership is paused. Please see the front desk.";
    case "membership_lapsed":
      return `The membership lapsed on ${day(reason.paid_until)}. Please see the front desk.`;
    case "outside_class_window":
      return `Check-in for this class is open from ${clock(reason.opens)} to ${clock(reason.closes)}.`;
    case "anti_passback":
      return `This card was just used. Try again after ${clock(reason.retry_after)}.`;
  }
}

export function warning(warning: Warning): string {
  switch (warning.code) {
    case "membership_lapsed":
      return `Membership lapsed on ${day(warning.paid_until)}`;
    case "student_paused":
      return "Membership is paused";
  }
}
