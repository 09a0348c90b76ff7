"""Support code for ``benchmarks/run.py``: backends, step code, timing, reporting."""
