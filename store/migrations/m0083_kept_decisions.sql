-- Kept decisions (store.kept): a decision that is the same for every visitor and rests only on
-- the store's figures and the rules (e.g. which cells of a page's linked people tables the
-- disclosure policy hides), made in a load's transaction and kept for readers, one row per
-- (kind, period, scope, key). `signature`: the code and rules it was made under; `inputs`: a
-- fingerprint of the figures it rests on. A reader uses a row only when both match what it would
-- decide from now; otherwise it decides live. `decision`: the owner's JSON (store.kept's codec).
CREATE TABLE IF NOT EXISTS kept_decisions (
    kind      VARCHAR NOT NULL,   -- whose decision: e.g. people (disclosure.linked)
    period    DATE NOT NULL,      -- the month it is for (first day)
    scope     VARCHAR NOT NULL,   -- social_workers | all_staff
    key       VARCHAR NOT NULL,   -- which one within its kind (a table and its options)
    signature VARCHAR NOT NULL,
    inputs    VARCHAR NOT NULL,
    decision  VARCHAR NOT NULL
);
