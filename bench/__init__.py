"""The benchmark against the AWS CLI (run it with `python bench/bench.py`)."""
