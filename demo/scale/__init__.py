"""A national-scale data set and the benchmark's helpers."""
