"""Regression engine: jobs, groups, execution, results."""
