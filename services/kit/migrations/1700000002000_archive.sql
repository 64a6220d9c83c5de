-- Up Migration

-- Rows a retention rule archives before deleting them (the audit log): each batch as gzip-compressed
-- JSON lines, written in the same transaction as the delete, so a row is either still in its table
-- or in the archive, never neither and never both. It lives in the owner's database (its backups,
-- no volume for a pod to mount); `zcat` of a `content` gives the rows back.
CREATE TABLE kit_archive (
  id bigserial PRIMARY KEY,
  source text NOT NULL,
  rows integer NOT NULL,
  content bytea NOT NULL,
  archived_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX kit_archive_by_source ON kit_archive (source, archived_at);

-- Down Migration
DROP TABLE kit_archive;
