"""Benchmarks and the scale data set (not tests: pytest never collects them — testpaths = tests).

`make bench` runs `python -m bench.dataset --fresh --scale both` and then `python -m bench.run`; see README.md.
"""
