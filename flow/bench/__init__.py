# SPDX-License-Identifier: Apache-2.0
"""The benchmarks behind ``make bench`` (command line: ``tools/bench.py``): each part
measures one figure of ``docs/performance.md``; nothing here asserts a time."""
