-- Migration 61 (disclosure): a meeting pack freezes each figure's target, status and the figure a
-- year earlier (and whether the disclosure policy hid that year-ago figure) when it is published,
-- as it freezes the figure itself: committee papers must not change when targets or older months
-- change later. Packs published before this migration have context_frozen NULL and keep being
-- read with today's target, status and year-ago figure.
ALTER TABLE rec_pack_items ADD COLUMN target DOUBLE;
ALTER TABLE rec_pack_items ADD COLUMN direction VARCHAR;
ALTER TABLE rec_pack_items ADD COLUMN status VARCHAR;
ALTER TABLE rec_pack_items ADD COLUMN year_ago DOUBLE;
ALTER TABLE rec_pack_items ADD COLUMN year_ago_hidden BOOLEAN;
ALTER TABLE rec_pack_items ADD COLUMN context_frozen BOOLEAN;
