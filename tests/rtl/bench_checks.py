# SPDX-License-Identifier: Apache-2.0
"""What a block bench run with a planted bug must show, shared by the FP block tests."""

from __future__ import annotations

import numpy as np

#: Mismatches a planted-bug run reports in full (``harness.run(..., max_errors=)``).
MAX_ERRORS = 20


def assert_fails_as_predicted(
    r, n: int, vec: np.ndarray, predicted: np.ndarray, inputs: tuple[str, str] = ("a", "b")
) -> None:
    """The run failed with exactly the mismatches ``predicted`` gives against the expected
    column of ``vec`` (rows: the two inputs, expected), the first :data:`MAX_ERRORS` reported
    at their index with their vector and the predicted output."""
    differ = np.flatnonzero(predicted != vec[:, 2])
    assert not r.passed and r.returncode != 0
    assert r.n == n and r.errors == differ.size
    assert [m["index"] for m in r.mismatches] == differ[:MAX_ERRORS].tolist()
    for m in r.mismatches:
        i = m["index"]
        assert (m[inputs[0]], m[inputs[1]], m["expected"]) == tuple(int(x) for x in vec[i])
        assert m["got"] == int(predicted[i]), m
