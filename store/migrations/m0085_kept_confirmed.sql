-- Kept decisions confirmed per load (store.kept, disclosure.linked): `confirmed` is a fingerprint
-- of the load ledger (and the row's own kind, month, scope and key) under which the row's `inputs`
-- were last seen to be the store's figures: the load that decided the row, or a later load that
-- checked them again. Rows only ever change through a ledgered load, so while the ledger is what
-- it was, the row answers for these figures with one small read (no re-reading and hashing of
-- the figures). NULL: never confirmed (a row kept before this migration): readers fall back to the
-- `inputs` fingerprint.
ALTER TABLE kept_decisions ADD COLUMN IF NOT EXISTS confirmed VARCHAR;
