"""The benchmark of issue 5: synthetic articles, and one command that measures them.

``python -m bench`` generates deterministic synthetic fact files (``bench.generate``), loads
them into an on-disk store next to raw pyoxigraph and rdflib, times every canned query and
``kb ask``'s cold start, and writes ``docs/benchmarks.md`` (``bench.run``). ``python -m
bench.servers`` loads the same articles into SPARQL servers and times the canned queries
there (issue 17, ``bench.servers``).
"""
