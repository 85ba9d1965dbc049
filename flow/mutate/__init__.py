# SPDX-License-Identifier: Apache-2.0
"""Mutation testing of the RTL (``make mutate``): mutants, the suite they run, verdicts, report."""
