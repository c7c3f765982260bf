"""SPARQL as text and as answers: the query catalogue (queries/*.rq), text tools, results."""
