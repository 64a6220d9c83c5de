-- Up Migration

-- The name of the line's category as order.completed tells it (the catalog's name at checkout). The
-- sales report still groups by category_id (a category can be renamed) and shows, for each id, the
-- name on its latest line that has one. Lines stored before this column, and events from before
-- orders told the name, have null: nothing is backfilled (the reporting store reads events only, never
-- the catalog's tables); such a category shows its name once a later order in it arrives, and its id
-- until then.
alter table rpt_order_lines add column category_name text;

-- A category's latest named line, found by one index probe per category in a report.
create index rpt_order_lines_category_names
  on rpt_order_lines (category_id, completed_at desc, order_id desc, line_no desc)
  where category_name is not null;
