"""Abono benchmarks (issue 7): `python -m bench [--quick] [--scenario NAME ...]`.

Each scenario starts what it measures (databases `abono_bench_*`, RabbitMQ vhost `abono_bench`, the services as
separate processes), drives a fixed-rate load from another process, and prints one JSON line per figure, each
with a baseline measured in the same run. See bench/README.md.
"""
