# SPDX-License-Identifier: Apache-2.0
"""Every environment-variable knob of the testbench, read in one place.

Regressions and benchmarks steer the tb through these variables only, so a
run is reproducible from its command line (config, scale, seed).
"""

from __future__ import annotations

import os
from pathlib import Path

from models import config as _config
from models.config import DEFAULT_CORE, CoreConfig, config_by_name

DEFAULT_CONFIG = "M2N64"


def config() -> CoreConfig:
    """``LUT_TC_CONFIG`` on ``LUT_TC_CORE``: a name from ``models.config.CONFIGS``
    (default M2N64) on a core of ``models.config.CORES`` (default lut_tc)."""
    return config_by_name(os.environ.get("LUT_TC_CONFIG", DEFAULT_CONFIG), core())


def core() -> str:
    return os.environ.get("LUT_TC_CORE", DEFAULT_CORE)


def config_label() -> str:
    """The configuration as coverage keys it: ``M2N64``, or ``mac:M2N64`` on another core.

    Each core's runs merge apart, so closure is shown per core.
    """
    return _config.config_label(config_name(), core())


def config_name() -> str:
    return os.environ.get("LUT_TC_CONFIG", DEFAULT_CONFIG)


def scale() -> float:
    """``LUT_TC_SCALE``: multiplies transaction counts (nightly > 1, default 1)."""
    return float(os.environ.get("LUT_TC_SCALE", "1"))


def scaled(n: int, minimum: int = 1) -> int:
    """``n`` transactions times the scale knob, at least ``minimum``."""
    return max(minimum, round(n * scale()))


def cov_dir() -> Path | None:
    """``LUT_TC_COV_DIR``: where per-test coverage JSON goes (unset: no dump)."""
    d = os.environ.get("LUT_TC_COV_DIR")
    return Path(d) if d else None


def cov_name() -> str | None:
    """``LUT_TC_COV_NAME``: file name of this run's coverage dump (the runner's job id)."""
    return os.environ.get("LUT_TC_COV_NAME") or None


def job_dir() -> Path:
    """``LUT_TC_JOB_DIR``: where this test's own files go (first error, responses).

    A group run sets it per test; a lone run writes into its working directory.
    """
    return Path(os.environ.get("LUT_TC_JOB_DIR") or ".")


def response_log() -> bool:
    """``LUT_TC_RESP_LOG=1``: also keep every response (tag, status, D) as ``responses.npz``."""
    return os.environ.get("LUT_TC_RESP_LOG", "0") == "1"


def cov_strict() -> bool:
    """``LUT_TC_COV_STRICT=1``: a missed coverage bin fails the test."""
    return os.environ.get("LUT_TC_COV_STRICT", "0") == "1"


def cov_enabled() -> bool:
    """``LUT_TC_COV=0`` switches coverage sampling off (throughput benchmarks)."""
    return os.environ.get("LUT_TC_COV", "1") != "0"


def expect_dut_bug() -> bool:
    """``LUT_TC_EXPECT_DUT_BUG=1`` (a data bug) or ``=protocol`` (a valid/ready bug):
    the DUT was built with a bug-injection define."""
    return os.environ.get("LUT_TC_EXPECT_DUT_BUG", "0") in ("1", "protocol")


def expect_protocol_bug() -> bool:
    """``LUT_TC_EXPECT_DUT_BUG=protocol``: the bug breaks valid/ready.

    (``LUT_TC_BUG_OVERWRITE_STALLED``)
    """
    return os.environ.get("LUT_TC_EXPECT_DUT_BUG", "0") == "protocol"


def transport() -> str:
    """``LUT_TC_TRANSPORT``: ``pins`` (default) or ``batch`` (:mod:`tb.transports`)."""
    from tb.transports.base import check_transport

    return check_transport(os.environ.get("LUT_TC_TRANSPORT", "pins"))


def traffic_percent(name: str, default: int) -> int:
    """``LUT_TC_BP`` / ``LUT_TC_GAP``: override a test's back-pressure or input-gap percentage.

    Percent of cycles with ``out_ready_i`` low / of accepts followed by an idle
    cycle, on every transport (0..100).
    """
    key = f"LUT_TC_{name.upper()}"
    raw = os.environ.get(key, str(default))
    try:
        v = int(raw)
    except ValueError:
        raise ValueError(f"{key}={raw!r} is not an integer in [0, 100]") from None
    if not 0 <= v <= 100:
        raise ValueError(f"{key}={v} out of range [0, 100]")
    return v


def stream_batch(default: int) -> int:
    """``LUT_TC_BATCH``: instructions per sequence item on the batch transport."""
    raw = os.environ.get("LUT_TC_BATCH", str(default))
    try:
        v = int(raw)
    except ValueError:
        raise ValueError(f"LUT_TC_BATCH={raw!r} is not an integer >= 1") from None
    if v < 1:
        raise ValueError(f"LUT_TC_BATCH={v} must be >= 1")
    return v
