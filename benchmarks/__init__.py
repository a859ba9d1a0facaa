"""Benchmarks of revintel: ``make bench`` runs each ``bench_*`` module and records its figures."""
