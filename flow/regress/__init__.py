# SPDX-License-Identifier: Apache-2.0
"""Regression engine: jobs, groups, execution, results."""
