-- Tatami's schema.
--
-- Every table but `tenants` belongs to one academy (tenant): `tenant_id`
-- leads its primary key and every unique constraint and foreign key, which
-- is also what Citus needs to distribute it by tenant. Row-level security is
-- enabled and forced on each: a transaction sees only the academy named by
-- `SET LOCAL app.tenant_id`. The server connects as `tatami_app`, which owns
-- nothing; migrations run as the owner.

-- The academy directory: resolving a host name to an academy happens before
-- any academy is chosen, so this table alone has no row-level security.
CREATE TABLE tenants (
    id uuid PRIMARY KEY,
    slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9](-?[a-z0-9])+$'),
    name text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- The next sequence number of each academy's change log. Appending locks
-- this row until commit, so log entries commit in sequence order and no
-- reader's cursor can pass a number that commits later.
CREATE TABLE log_heads (
    tenant_id uuid PRIMARY KEY REFERENCES tenants (id),
    next_seq bigint NOT NULL DEFAULT 1 CHECK (next_seq > 0)
);

-- Sign-in identities: staff and student members.
CREATE TABLE users (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    email text NOT NULL,
    password_hash text NOT NULL,
    role text NOT NULL CHECK (role IN ('owner', 'admin', 'instructor', 'front_desk', 'member')),
    -- For members: the student they are.
    student_id uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    disabled_at timestamptz,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, email),
    CHECK ((role = 'member') = (student_id IS NOT NULL))
);

-- Rotating refresh tokens, stored hashed. A token used twice revokes its
-- whole family.
CREATE TABLE refresh_tokens (
    tenant_id uuid NOT NULL,
    id uuid NOT NULL,
    user_id uuid NOT NULL,
    family_id uuid NOT NULL,
    token_hash bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    revoked_at timestamptz,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (tenant_id, family_id);

-- Enrolled tablets and laptops, each with its own revocable credential.
CREATE TABLE devices (
    tenant_id uuid NOT NULL,
    id uuid NOT NULL,
    name text NOT NULL,
    role text NOT NULL CHECK (role IN ('owner', 'admin', 'instructor', 'front_desk')),
    secret_hash bytea NOT NULL,
    enrolled_by uuid NOT NULL,
    enrolled_at timestamptz NOT NULL DEFAULT now(),
    -- A lost tablet must not stay trusted forever: it is enrolled again.
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz,
    last_seen_at timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, enrolled_by) REFERENCES users (tenant_id, id)
);

-- The academy's pass-signing keys. The secret half is sealed with the
-- server's master key and never leaves the server.
CREATE TABLE signing_keys (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    key_id smallint NOT NULL CHECK (key_id BETWEEN 0 AND 255),
    public_key bytea NOT NULL CHECK (length(public_key) = 32),
    secret_sealed bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    retired_at timestamptz,
    PRIMARY KEY (tenant_id, key_id)
);

-- The change log: every Automerge change, stored once, in causal order.
CREATE TABLE changes (
    tenant_id uuid NOT NULL,
    seq bigint NOT NULL,
    doc_id uuid NOT NULL,
    hash bytea NOT NULL,
    bytes bytea NOT NULL,
    device_id uuid,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, seq),
    UNIQUE (tenant_id, doc_id, hash)
) PARTITION BY HASH (tenant_id);
CREATE TABLE changes_p0 PARTITION OF changes FOR VALUES WITH (MODULUS 8, REMAINDER 0);
CREATE TABLE changes_p1 PARTITION OF changes FOR VALUES WITH (MODULUS 8, REMAINDER 1);
CREATE TABLE changes_p2 PARTITION OF changes FOR VALUES WITH (MODULUS 8, REMAINDER 2);
CREATE TABLE changes_p3 PARTITION OF changes FOR VALUES WITH (MODULUS 8, REMAINDER 3);
CREATE TABLE changes_p4 PARTITION OF changes FOR VALUES WITH (MODULUS 8, REMAINDER 4);
CREATE TABLE changes_p5 PARTITION OF changes FOR VALUES WITH (MODULUS 8, REMAINDER 5);
CREATE TABLE changes_p6 PARTITION OF changes FOR VALUES WITH (MODULUS 8, REMAINDER 6);
CREATE TABLE changes_p7 PARTITION OF changes FOR VALUES WITH (MODULUS 8, REMAINDER 7);
CREATE INDEX changes_by_doc ON changes (tenant_id, doc_id, seq);

-- Each document's kind, last change, and a compacted snapshot for fresh
-- devices (the snapshot holds every change up to `snapshot_seq`;
-- `unsnapshotted` counts the document's changes logged since).
CREATE TABLE documents (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    doc_id uuid NOT NULL,
    kind text NOT NULL CHECK (kind IN ('tenant', 'student', 'staff', 'roll')),
    last_seq bigint NOT NULL,
    snapshot bytea,
    snapshot_seq bigint NOT NULL DEFAULT 0,
    unsnapshotted integer NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, doc_id)
);

-- Projections: the rows each document projects to, rewritten in the same
-- transaction that appends its changes to the log.

CREATE TABLE academies (
    tenant_id uuid PRIMARY KEY REFERENCES tenants (id),
    name text NOT NULL,
    slug text NOT NULL,
    timezone text NOT NULL,
    theme jsonb NOT NULL,
    checkin jsonb NOT NULL
);

CREATE TABLE belt_ranks (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    position integer NOT NULL,
    name text NOT NULL,
    color text NOT NULL,
    stripes smallint NOT NULL,
    requirements jsonb NOT NULL,
    stripe_requirements jsonb NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE classes (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    name text NOT NULL,
    color text,
    PRIMARY KEY (tenant_id, id)
);

-- No foreign key to classes: merged edits may briefly name a class another
-- device has not sent yet, and a projection must never fail a sync.
CREATE TABLE schedule_slots (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    class_id uuid NOT NULL,
    weekday smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    starts time NOT NULL,
    minutes smallint NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE students (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    name text NOT NULL,
    email text,
    phone text,
    born_on date,
    joined_on date NOT NULL,
    status text NOT NULL CHECK (status IN ('active', 'paused', 'inactive')),
    paid_until date,
    card_version integer NOT NULL,
    -- The 16 hex digits a pass names the student by.
    pass_tag text NOT NULL,
    rank_id uuid NOT NULL,
    stripes smallint NOT NULL,
    grade_since date NOT NULL,
    rank_since date NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX students_by_pass_tag ON students (tenant_id, pass_tag);

CREATE TABLE guardians (
    tenant_id uuid NOT NULL,
    id uuid NOT NULL,
    student_id uuid NOT NULL,
    name text NOT NULL,
    relation text,
    phone text,
    email text,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, student_id) REFERENCES students (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE promotions (
    tenant_id uuid NOT NULL,
    id uuid NOT NULL,
    student_id uuid NOT NULL,
    from_rank uuid NOT NULL,
    from_stripes smallint NOT NULL,
    to_rank uuid NOT NULL,
    to_stripes smallint NOT NULL,
    awarded_on date NOT NULL,
    awarded_by uuid NOT NULL,
    notes text NOT NULL,
    recorded_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, student_id) REFERENCES students (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX promotions_by_student ON promotions (tenant_id, student_id);

CREATE TABLE student_notes (
    tenant_id uuid NOT NULL,
    id uuid NOT NULL,
    student_id uuid NOT NULL,
    written_at timestamptz NOT NULL,
    written_by uuid NOT NULL,
    body text NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, student_id) REFERENCES students (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE staff (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    name text NOT NULL,
    email text NOT NULL,
    role text NOT NULL CHECK (role IN ('owner', 'admin', 'instructor', 'front_desk')),
    active boolean NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

-- One per roll document: a class (or the open mat) on a day.
CREATE TABLE class_sessions (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    doc_id uuid NOT NULL,
    class_ref text NOT NULL,
    held_on date NOT NULL,
    PRIMARY KEY (tenant_id, doc_id)
);

-- One row per student per session; a voided check-in keeps its row. No
-- foreign key to students: a roll may name a student whose document the
-- server has not received yet, and a projection must never fail a sync.
CREATE TABLE attendance (
    tenant_id uuid NOT NULL,
    session_doc_id uuid NOT NULL,
    student_id uuid NOT NULL,
    class_ref text NOT NULL,
    held_on date NOT NULL,
    checked_in_at timestamptz NOT NULL,
    checked_in_by uuid NOT NULL,
    device_id uuid NOT NULL,
    method text NOT NULL CHECK (method IN ('card', 'phone', 'manual')),
    voided_at timestamptz,
    voided_by uuid,
    PRIMARY KEY (tenant_id, session_doc_id, student_id),
    FOREIGN KEY (tenant_id, session_doc_id) REFERENCES class_sessions (tenant_id, doc_id)
) PARTITION BY HASH (tenant_id);
CREATE TABLE attendance_p0 PARTITION OF attendance FOR VALUES WITH (MODULUS 8, REMAINDER 0);
CREATE TABLE attendance_p1 PARTITION OF attendance FOR VALUES WITH (MODULUS 8, REMAINDER 1);
CREATE TABLE attendance_p2 PARTITION OF attendance FOR VALUES WITH (MODULUS 8, REMAINDER 2);
CREATE TABLE attendance_p3 PARTITION OF attendance FOR VALUES WITH (MODULUS 8, REMAINDER 3);
CREATE TABLE attendance_p4 PARTITION OF attendance FOR VALUES WITH (MODULUS 8, REMAINDER 4);
CREATE TABLE attendance_p5 PARTITION OF attendance FOR VALUES WITH (MODULUS 8, REMAINDER 5);
CREATE TABLE attendance_p6 PARTITION OF attendance FOR VALUES WITH (MODULUS 8, REMAINDER 6);
CREATE TABLE attendance_p7 PARTITION OF attendance FOR VALUES WITH (MODULUS 8, REMAINDER 7);
CREATE INDEX attendance_by_student ON attendance (tenant_id, student_id, held_on);

-- Security-relevant events. Append-only: the server may not rewrite it.
CREATE TABLE audit_log (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id uuid NOT NULL,
    at timestamptz NOT NULL DEFAULT now(),
    actor_kind text NOT NULL CHECK (actor_kind IN ('user', 'device', 'server', 'anonymous')),
    actor_id uuid,
    action text NOT NULL,
    detail jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_log_by_time ON audit_log (tenant_id, at);

-- Row-level security: one policy per tenant table and partition, forced
-- even for the owner.
DO $$
DECLARE
    t text;
BEGIN
    FOR t IN
        SELECT c.relname
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id'
        WHERE n.nspname = current_schema()
          AND c.relkind IN ('r', 'p')
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %I '
            'USING (tenant_id = NULLIF(current_setting(''app.tenant_id'', true), '''')::uuid) '
            'WITH CHECK (tenant_id = NULLIF(current_setting(''app.tenant_id'', true), '''')::uuid)',
            t
        );
    END LOOP;
END
$$;

-- What the server's role may do.
GRANT SELECT, INSERT ON tenants TO tatami_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO tatami_app;
REVOKE UPDATE, DELETE ON changes, audit_log FROM tatami_app;
REVOKE UPDATE, DELETE ON tenants FROM tatami_app;
-- Partitions are reached through their parent only.
REVOKE ALL ON changes_p0, changes_p1, changes_p2, changes_p3, changes_p4, changes_p5, changes_p6, changes_p7,
    attendance_p0, attendance_p1, attendance_p2, attendance_p3, attendance_p4, attendance_p5, attendance_p6,
    attendance_p7 FROM tatami_app;
