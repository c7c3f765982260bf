"""``kb serve``: the SPARQL 1.1 Protocol endpoint and the page, over ``kb.KB``."""
