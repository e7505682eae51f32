-- Whole frames kept per load (store.frames): the measure history's two frames of each scope,
-- exact and as published (disclosure.history.keep_frames), computed once in the load's own
-- transaction so that a page's first view after a load reads them (a few ms) instead of building
-- them (~90-170 ms of a first view at 1x). `key` says what they were made from (the load ledger's
-- fingerprint, the code and rules, the targets file); a reader whose key differs builds them
-- itself. `body` is the frame as store.frames.dumps writes it.
CREATE TABLE IF NOT EXISTS kept_frames (
    frame_name VARCHAR NOT NULL,   -- e.g. history.raw.social_workers
    key  VARCHAR NOT NULL,
    body BLOB NOT NULL
);
