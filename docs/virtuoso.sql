-- Virtuoso 7.2 set up for event-kb, as tests/servers.py sets up its private instance.
-- Run it once as dba: isql-vt 127.0.0.1:1111 dba PASSWORD docs/virtuoso.sql
-- (docs/server.md, "Virtuoso").

-- The SPARQL endpoint's user (SPARQL, "nobody" on the quad store) may run updates, and
-- may read and write every graph. Grant this only where every client that reaches
-- /sparql may write (loopback, a private network).
GRANT SPARQL_UPDATE TO "SPARQL";
DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 3);
