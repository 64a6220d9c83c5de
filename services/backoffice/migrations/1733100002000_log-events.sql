-- Up Migration
-- The searchable window onto the services' warnings and errors (shipped by the kit's log sink). A
-- bounded store: each write trims it to the newest LOG_EVENTS_MAX rows, so it never grows past that.
CREATE TABLE log_events (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL,
  service text NOT NULL,
  level text NOT NULL,
  msg text NOT NULL,
  trace_id text,
  request_id text,
  fields jsonb NOT NULL
);
CREATE INDEX log_events_at ON log_events (at DESC);

-- Down Migration
DROP TABLE log_events;
