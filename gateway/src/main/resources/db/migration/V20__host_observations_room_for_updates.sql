-- Every results batch rewrites its hosts' observations. With full pages an update has to go to
-- another page and add the row to both indexes again; with room left on the page it stays there
-- (a HOT update: no index entry, the old version pruned in place). None of the indexed columns
-- (tenant, agent, IP) changes in an update, so room on the page is all HOT needs.
-- `load-tests/run results`: 50 % of the updates HOT at fillfactor 100, 90 % at 70 (docs/performance.md).
ALTER TABLE host_observations SET (fillfactor = 70);
