"""Turn input files (fact files, RDF files) into quads grouped by named graph.

Loaders never write to a store: ``loaders.plan.plan_file`` parses and validates one file
and returns a ``LoadPlan``; ``kb.KB.load`` swaps the planned graphs in all at once, so a
file with an error loads nothing.
"""
