-- Up Migration

-- Retention deletes finished deliveries by age, in bounded batches; these let each batch find its
-- rows without reading the whole table.
create index deliveries_finished_age on deliveries (created_at) where status <> 'pending';
create index webhook_deliveries_finished_age on webhook_deliveries (created_at) where status <> 'pending';

-- Down Migration
drop index webhook_deliveries_finished_age;
drop index deliveries_finished_age;
