-- A guardian's id names a guardian of one student: the same id written
-- under two students (by a device that copied it, or a hostile one) is two
-- rows, never a conflict that fails the push.
ALTER TABLE guardians DROP CONSTRAINT guardians_pkey;
ALTER TABLE guardians ADD PRIMARY KEY (tenant_id, student_id, id);
