-- Which life of each academy's change log this is. Restoring a backup
-- gives every academy a new epoch: a device that followed another epoch
-- loads the server's documents again and pushes what the server lacks,
-- because its cursor may point past changes the restore took away.
ALTER TABLE tenants ADD COLUMN log_epoch uuid NOT NULL DEFAULT gen_random_uuid();
