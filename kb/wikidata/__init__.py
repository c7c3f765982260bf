"""Wikidata: a polite client with a cache, linking entities to items, enrichment."""
