-- Migration 3: the load ledger says which loads are demo data (made by the demo command).
-- Loads made before this by the demo command were recorded as loaded_by = 'demo'; they are demo.
ALTER TABLE loads ADD COLUMN is_demo BOOLEAN DEFAULT false;
UPDATE loads SET is_demo = (loaded_by = 'demo');
