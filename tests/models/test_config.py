"""config.py is the single source of truth: the RTL package matches it, bad shapes are refused."""

from __future__ import annotations

import pytest

from models import gen_pkg
from models.config import (
    ACC_W,
    CONFIGS,
    DEFAULT,
    FIELDS,
    INSTR_W,
    TABLE_W,
    CoreConfig,
    Status,
    config_by_name,
)


def test_committed_package_matches_config() -> None:
    """``python -m models.gen_pkg --check`` semantics."""
    assert gen_pkg.PKG_PATH.exists(), f"{gen_pkg.PKG_PATH} missing: run `python -m models.gen_pkg`"
    assert gen_pkg.render() == gen_pkg.PKG_PATH.read_text(), "stale: run `python -m models.gen_pkg`"


def test_render_is_deterministic() -> None:
    assert gen_pkg.render() == gen_pkg.render()


def test_fields_tile_the_word() -> None:
    pos = 0
    for f in FIELDS:
        assert f.lsb == pos, f"{f.name} leaves a gap or overlaps"
        pos += f.width
    assert pos == INSTR_W


def test_documented_defaults() -> None:
    assert (DEFAULT.M, DEFAULT.N, DEFAULT.T, DEFAULT.W_BITS_MAX) == (2, 64, 4, 4)
    assert (TABLE_W, ACC_W) == (19, 32)
    assert (
        DEFAULT.a_bits == 2 * 4 * 16
        and DEFAULT.w_bits == 4 * 64 * 4
        and DEFAULT.c_bits == 2 * 64 * 32
    )
    assert DEFAULT.rtl_parameters() == {"M": 2, "N": 64, "T": 4, "WBitsMax": 4}
    assert [s.value for s in Status] == [0, 1, 2, 3, 4]


def test_named_configs() -> None:
    for name, cfg in CONFIGS.items():
        assert config_by_name(name) is cfg
    with pytest.raises(ValueError, match=r"^config='M9' unknown"):
        config_by_name("M9")


@pytest.mark.parametrize(
    ("kw", "name"),
    [
        ({"M": 0}, "M"),
        ({"M": 65}, "M"),
        ({"N": 0}, "N"),
        ({"N": 1025}, "N"),
        ({"T": 0}, "T"),
        ({"T": 17}, "T"),
        ({"W_BITS_MAX": 0}, "W_BITS_MAX"),
        ({"W_BITS_MAX": 9}, "W_BITS_MAX"),
        ({"M": 2.0}, "M"),
        ({"N": "64"}, "N"),
    ],
)
def test_core_config_rejects_bad_values(kw: dict[str, object], name: str) -> None:
    with pytest.raises(ValueError, match=rf"^{name}="):
        CoreConfig(**kw)  # type: ignore[arg-type]
