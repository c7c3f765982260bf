"""Where the quads live: the embedded pyoxigraph store, a remote SPARQL server, and the
layout of the system graphs they share (docs/architecture.md)."""
