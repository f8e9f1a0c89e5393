"""Benchmarks: a large synthetic kabupaten and the timings of the supervisor pages."""
