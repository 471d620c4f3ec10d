"""`make bench`: measure the API against the framework's own floor in one run (see docs/benchmarks.md)."""
