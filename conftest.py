"""Keep pytest out of mutmut's copy of the project (mutants/, made by `make mutate`)."""

collect_ignore = ["mutants"]
