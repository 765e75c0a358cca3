-- migrate:up transaction:false
CREATE INDEX CONCURRENTLY i ON t (id);
COMMIT;
-- migrate:down
DROP INDEX i;
