"""The README's FP model example runs and shows what it says: the core's sums."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

README = Path(__file__).resolve().parent.parent / "README.md"


def _python_block(after: str) -> str:
    text = README.read_text()
    start = text.index(after)
    m = re.search(r"```python\n(.*?)```", text[start:], re.S)
    assert m, f"no python block after {after!r}"
    return m.group(1)


def test_fp16_model_example_runs_and_matches_float64() -> None:
    ns: dict = {"print": lambda *a: None}
    exec(_python_block("## Floating-point activations"), ns)
    d, a, q = ns["d"], ns["a"], ns["q"]
    got = d.astype(np.int32).view(np.float32)
    want = a.astype(np.float64) @ (2 * q - 3)
    # Every sum here is exact in binary32 (a few significant bits each).
    assert np.array_equal(got.astype(np.float64), want), (got, want)
