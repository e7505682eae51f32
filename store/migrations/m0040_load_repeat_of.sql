-- Issue 11 (badinput): a file whose staff rows repeat another loaded month loads only when HR
-- confirms the staff did not change; the load records which month it repeats (NULL = no repeat).
ALTER TABLE loads ADD COLUMN IF NOT EXISTS repeat_of DATE;
