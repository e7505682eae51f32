-- Migration 60 (disclosure): what each meeting pack hid when it was published, and why
-- (primary / secondary / class / over_time). Later packs keep those figures hidden so they cannot
-- be recovered by differencing; the pack's files print the reasons.
CREATE TABLE IF NOT EXISTS rec_pack_disclosure (
    pack_id   INTEGER NOT NULL,
    position  INTEGER NOT NULL,
    metric_id VARCHAR NOT NULL,
    scope     VARCHAR NOT NULL,
    period    DATE NOT NULL,
    cell      VARCHAR NOT NULL,     -- 'value' (the figure) or 'counts' (numerator and denominator)
    reason    VARCHAR NOT NULL,
    PRIMARY KEY (pack_id, position, cell)
);
