# SPDX-License-Identifier: Apache-2.0
"""config.py is the single source of truth: the RTL package matches it, bad shapes are refused."""

from __future__ import annotations

import dataclasses

import pytest

from models import gen_pkg
from models.config import (
    ACC_W,
    ACCFMT_OF,
    ALL_FORMATS,
    CONFIGS,
    DEFAULT,
    DEFAULT_CORE,
    FIELDS,
    FP_AFMTS,
    INSTR_W,
    INT_FORMATS,
    TABLE_W,
    AccFmt,
    AFmt,
    CoreConfig,
    Status,
    config_by_name,
    formats_mask,
)


def test_committed_package_matches_config() -> None:
    """``python -m models.gen_pkg --check`` semantics, for the package and the names file."""
    for path, render in gen_pkg.GENERATED.items():
        assert path.exists(), f"{path} missing: run `python -m models.gen_pkg`"
        assert render() == path.read_text(), f"{path.name} stale: run `python -m models.gen_pkg`"


def test_names_file_names_every_package_constant() -> None:
    """Every parameter and enum item of the package has its localparam in the names file."""
    import re

    pkg, names = gen_pkg.render(), gen_pkg.render_names()
    declared = set(re.findall(r"parameter int (\w+) =", pkg))
    declared |= set(re.findall(r"^\s+(\w+) = \d+'h", pkg, re.M))
    aliased = set(re.findall(r"localparam \S+(?: \[\d+:0\])? (\w+) = lut_tc_pkg::(\w+);", names))
    assert {a for a, b in aliased if a == b} == declared
    assert "import" not in names and "typedef" not in names


def test_core_profiles() -> None:
    """A core is part of the configuration: named, built, validated, one source for all."""
    mac = CONFIGS["M2N4"].with_core("mac")
    assert mac.name == "mac_M2N4" and mac.rtl_parameters()["Core"] == 2
    assert config_by_name("M2N4", "lut_conv").rtl_parameters()["Core"] == 1
    assert config_by_name("M2N4") is CONFIGS["M2N4"]
    with pytest.raises(
        ValueError, match=r"core='dsp' unknown; choose one of lut_tc, lut_conv, mac"
    ):
        CoreConfig(core="dsp")
    with pytest.raises(ValueError, match=r"formats=0x3F: core lut_conv builds INT8, INT16 only"):
        CoreConfig(formats=ALL_FORMATS, core="lut_conv")
    assert config_by_name("M2N4FP", "mac").name == "mac_M2N4FP"  # the MAC core builds FP
    with pytest.raises(ValueError, match=r"config='M2N4FP' builds formats core lut_conv does not"):
        config_by_name("M2N4FP", "lut_conv")


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
    assert DEFAULT.rtl_parameters() == {
        "M": 2,
        "N": 64,
        "T": 4,
        "WBitsMax": 4,
        "Formats": 3,
        "Core": 0,
    }
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
        ({"formats": 0}, "formats"),
        ({"formats": 64}, "formats"),
        ({"formats": -1}, "formats"),
        ({"formats": True}, "formats"),
        ({"formats": 3.0}, "formats"),
    ],
)
def test_core_config_rejects_bad_values(kw: dict[str, object], name: str) -> None:
    with pytest.raises(ValueError, match=rf"^{name}="):
        CoreConfig(**kw)  # type: ignore[arg-type]


def test_formats_mask() -> None:
    """Bit k of ``formats`` is afmt code k: INT8 and INT16 by default, all six at most."""
    assert (INT_FORMATS, ALL_FORMATS) == (0b000011, 0b111111)
    assert DEFAULT.formats == INT_FORMATS and not DEFAULT.has_fp
    assert DEFAULT.afmts == (AFmt.INT8, AFmt.INT16)
    fp = CONFIGS["M2N64FP"]
    assert fp.formats == ALL_FORMATS and fp.has_fp and fp.afmts == tuple(AFmt)
    assert fp.rtl_parameters()["Formats"] == 0x3F
    part = CoreConfig(M=2, N=4, formats=0b001001)
    assert part.afmts == (AFmt.INT8, AFmt.FP16) and part.has_fp
    assert [part.builds(k) for k in range(16)] == [k in (0, 3) for k in range(16)]
    assert not any(fp.builds(k) for k in (-1, *range(6, 16))), "reserved codes are never built"
    assert formats_mask([AFmt.FP16, AFmt.INT8, AFmt.INT8]) == 0b001001
    assert CoreConfig(formats=0b000100).has_fp, "E4M3 alone is an FP build"
    assert CoreConfig(formats=0b000001).afmts == (AFmt.INT8,)


def test_accfmt_of_each_format() -> None:
    assert set(ACCFMT_OF) == set(AFmt)
    assert all(ACCFMT_OF[f] == (AccFmt.FP32 if f in FP_AFMTS else AccFmt.INT32) for f in AFmt)


def test_names() -> None:
    """A named configuration is called what a user types; any other by its shape, with
    the Formats mask in hex where it is not the integer pair."""
    for name, cfg in CONFIGS.items():
        assert cfg.name == name
        assert dataclasses.replace(cfg, core=DEFAULT_CORE).name == name  # equal shape, same name
    assert CONFIGS["M2N4I8"].name == "M2N4I8" and CONFIGS["M2N4I8"].shape_name == "M2N4T4W4F01"
    assert DEFAULT.shape_name == "M2N64T4W4" and CONFIGS["M2N4FP"].shape_name == "M2N4T4W4F3F"
    assert CoreConfig(M=2, N=4).name == "M2N4"  # the shape of a named one
    assert CoreConfig(M=2, N=4, formats=0b001001).name == "M2N4T4W4F09"
    assert CoreConfig(M=2, N=4, formats=0b001001, core="mac").name == "mac_M2N4T4W4F09"
    # A changed shape or format set drops the name: never a build folder shared by two shapes.
    assert dataclasses.replace(CONFIGS["M2N4FP"], formats=0b000100).name == "M2N4T4W4F04"
    assert len({c.shape_name for c in CONFIGS.values()}) == len(CONFIGS)
