-- a migration whose up block hides transaction control in places that do not count
-- migrate:up
CREATE TABLE t (id INTEGER PRIMARY KEY, note TEXT DEFAULT 'COMMIT;');
/* COMMIT; /* nested */ still comment */
CREATE FUNCTION f() RETURNS void AS $body$ BEGIN COMMIT; END $body$ LANGUAGE plpgsql;
CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET note = "x"; END;
SAVEPOINT s; RELEASE s; ROLLBACK TO s;
-- migrate:down
DROP TABLE t;
