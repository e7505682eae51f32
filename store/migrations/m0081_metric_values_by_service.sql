-- The kept metric values by service too (metrics.engine.refresh_values): every page's trends,
-- cards and themes are published together with each service's figures (so no service's hidden
-- figure can be worked out from the others), and computing those on a page's first view after a
-- load cost more than the rest of the page. `service` NULL is the whole directorate (the rows
-- migration 80 kept); otherwise the engine's row for that service (history by="service").
ALTER TABLE metric_values ADD COLUMN IF NOT EXISTS service VARCHAR;
