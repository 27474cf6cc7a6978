// Values shaped as the shell sends them, for component tests.
import type {
  DeviceState,
  DoorOutcome,
  Profile,
  Rank,
  Role,
  SessionInfo,
  StaffMember,
  Student,
  SyncStatus,
  TenantView,
} from "../lib/bindings";

export const today = "2026-12-01";

export const fundamentals: SessionInfo = {
  key: { class: "0193a000-0000-7000-8000-000000000001", date: today },
  name: "Fundamentals",
  timing: "scheduled",
  starts: `${today}T18:00`,
  minutes: 60,
};

export const openMat: SessionInfo = { key: { class: "open-mat", date: today }, name: "Open mat", timing: "open_mat" };

export function admitted(name = "Ana Lima"): DoorOutcome {
  return {
    decision: { outcome: "admit", warnings: [] },
    student: { id: "s1", name, initials: "AL", rank: "Blue", color: "#1d4ed8", stripes: 2 },
    session: fundamentals,
    recorded: true,
  };
}

export const offline: SyncStatus = {
  connection: "offline",
  waiting: 3,
  last_sync: null,
  last_error: null,
  undone: [],
  clock_off_by_seconds: 0,
};

const none = { attendances: 0, months: 0, min_age_years: null };

/** A jiu-jitsu belt system, lowest first. */
export const ranks: Rank[] = [
  {
    id: "0193a000-0000-7000-8000-0000000000a1",
    name: "White",
    color: "#ffffff",
    stripes: 4,
    requirements: none,
    stripe_requirements: { attendances: 20, months: 2, min_age_years: null },
  },
  {
    id: "0193a000-0000-7000-8000-0000000000a2",
    name: "Blue",
    color: "#1d4ed8",
    stripes: 4,
    requirements: { attendances: 120, months: 18, min_age_years: 16 },
    stripe_requirements: { attendances: 40, months: 6, min_age_years: null },
  },
  {
    id: "0193a000-0000-7000-8000-0000000000a3",
    name: "Purple",
    color: "#7e22ce",
    stripes: 0,
    requirements: { attendances: 200, months: 24, min_age_years: 16 },
    stripe_requirements: none,
  },
];

export const academy: TenantView = {
  id: "0193a000-0000-7000-8000-0000000000f1",
  name: "Golden Tiger",
  slug: "golden-tiger",
  timezone: "Europe/Lisbon",
  theme: { primary: "#1f2937", accent: "#dc2626", logo: null },
  ranks,
  classes: [],
  slots: [],
  checkin: {
    opens_before_minutes: 30,
    closes_after_minutes: 30,
    anti_passback_minutes: 5,
    lapsed_membership: "warn",
    grace_days: 7,
    paused_student: "warn",
  },
  keys: [],
};

export const owner: StaffMember = { id: "0193a000-0000-7000-8000-0000000000e1", name: "Rita Moreira", email: "rita@goldentiger.pt", role: "owner" };
export const instructor: StaffMember = { id: "0193a000-0000-7000-8000-0000000000e2", name: "Tiago Reis", email: "tiago@goldentiger.pt", role: "instructor" };

/**
 * A device unlocked by `staff`, whose edits are made as `acting` (the
 * lesser of their role and the device's); a fresh copy each time, as the
 * shell sends.
 */
export function signedIn(staff: StaffMember | null = owner, acting: Role | null = staff?.role ?? null): DeviceState {
  return structuredClone({
    enrolment: {
      server: "https://tatami.example.com",
      academy: "golden-tiger",
      device: "0193a000-0000-7000-8000-0000000000d1",
      role: acting === "front_desk" ? "front_desk" : "admin",
      name: "Front desk",
    },
    academy,
    staff,
    acting_role: acting,
    status: { ...offline, connection: "online", waiting: 0 },
    students: 312,
    server_hint: null,
  });
}

export const ana: Student = {
  id: "0193a000-0000-7000-8000-0000000000b1",
  name: "Ana Lima",
  email: "ana@example.com",
  phone: null,
  born_on: "1998-04-02",
  joined_on: "2025-09-01",
  status: "active",
  paid_until: "2026-12-31",
  card_version: 1,
  start_grade: { rank: ranks[0].id, stripes: 0 },
};

/** Ana's student screen; a fresh copy each time. */
export function anaProfile(): Profile {
  return structuredClone({
    standing: { grade: { rank: ranks[0].id, stripes: 2 }, grade_since: "2026-06-01", rank_since: "2025-09-01", grade_promoted: true, rank_promoted: false },
    eligibility: null,
    attendance: [],
    student: ana,
    guardians: [],
    promotions: [],
    notes: [],
  });
}
