-- Kept frames' bodies stored uncompressed (store.frames). DuckDB compressed the body column as
-- one ZSTD segment, so every read of any body, however small, decompressed all of them (~3.4 MB
-- at 1x): ~5 ms a read, and a page reads two to four. Uncompressed, a read fetches only the
-- bodies it selects: 1-3 ms. The bodies are pickled frames, which compress little anyway. The
-- rows are kept as they are (their keys still say whether a reader may use them).
CREATE TABLE kept_frames_uncompressed (
    frame_name VARCHAR NOT NULL,   -- e.g. history.raw.social_workers
    key  VARCHAR NOT NULL,
    body BLOB NOT NULL USING COMPRESSION 'uncompressed'
);
INSERT INTO kept_frames_uncompressed SELECT frame_name, key, body FROM kept_frames;
DROP TABLE kept_frames;
ALTER TABLE kept_frames_uncompressed RENAME TO kept_frames;
