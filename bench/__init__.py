"""Measurements: the benchmark (`persecution-graph bench`, tools/benchmarks.py) and the load test
(tools/reliability.py). Not part of the product's ways in (api/): they measure them."""
