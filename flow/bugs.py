# SPDX-License-Identifier: Apache-2.0
"""The planted bugs: every ``LUT_TC_BUG_*`` define the RTL understands, in one place.

Negative tests build the core (or one block) with one of these defines and must
fail. Each record says where the bug lives, what it breaks, which cores have a
block for it and which pytest tests catch it; the regression suites that plant
it are read from ``regressions/*.toml``. Everything else derives from here:
``flow.build.BUGS`` / ``CORE_BUGS`` / ``PROTOCOL_BUGS`` / ``FP_BUGS``, the refusal of an unknown
or misplaced define (:func:`check_define`), and the table in
``docs/verification_plan.md`` (``python -m tools.doc_tables``). A test holds the
records to the RTL's own ``ifdef``s, so a new define cannot go undocumented.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Where the table lives; refusals point to it.
DOC = "docs/verification_plan.md, section Planted bugs"
ALL_CORES = ("lut_tc", "lut_conv", "mac")
FP_CORES = ("lut_tc", "mac")  #: the cores that build FP formats


@dataclass(frozen=True)
class PlantedBug:
    """One bug-injection define."""

    define: str
    #: the RTL file(s) it lives in, with the core each belongs to where that differs
    block: str
    #: what a core built with it does wrong, in one line
    breaks: str
    #: the cores with a block for it (a core without one refuses the build)
    cores: tuple[str, ...]
    #: pytest node ids (``file::function``) of the tests that fail on it
    tests: tuple[str, ...]
    #: breaks valid/ready: built without the RTL's assertions, which would stop the
    #: simulation before the testbench's protocol checks can object
    protocol: bool = False
    #: lives in a floating-point block: a configuration that builds no FP format has
    #: none, so the define would change nothing there
    fp: bool = False
    #: the FP datapath formats (``models.config.FpAcc`` values) whose core builds the
    #: block: a binary16 core has no binary32 converter, a binary32 one no binary16 adder
    fp_accs: tuple[int, ...] = (0, 1, 2)


PLANTED: tuple[PlantedBug, ...] = (
    PlantedBug(
        "LUT_TC_BUG_NO_NEGATE",
        "`lut_unit.sv` (lut_tc), `lut_conv_unit.sv` (lut_conv), "
        "the MAC column dequantizer in `lut_array.sv` (mac)",
        "reads the neg bit of every weight code as 0: negated lookups come out positive",
        ALL_CORES,
        (
            "tests/tb/test_tb_smoke.py::test_tb_catches_a_broken_dut",
            "tests/tb/test_netlist.py::test_a_netlist_of_broken_rtl_gives_other_responses",
            "tests/rtl/test_blocks.py::test_one_format_check_catches_a_planted_bug",
            "tests/bench/test_replay.py::test_replay_catches_injected_dut_bug",
            "tests/tools/test_regress.py::test_failing_run_prints_test_seed_and_repro",
        ),
    ),
    PlantedBug(
        "LUT_TC_BUG_SWAP_ENTRIES",
        "`lut_table_gen.sv` (lut_tc: table entries 1 and 2), `lut_conv_unit.sv` (lut_conv), "
        "the MAC column dequantizer in `lut_array.sv` (mac)",
        "codes with `sel` 1 and 2 read each other's entry (`a3-a2-a1+a0` <-> `a3-a2+a1-a0`)",
        ALL_CORES,
        ("tests/tb/test_tb_smoke.py::test_tb_catches_a_broken_dut",),
    ),
    PlantedBug(
        "LUT_TC_BUG_OVERWRITE_STALLED",
        "the output register in `lut_tensor_core.sv`",
        "a stalled response is overwritten by the next one (valid held, data changed)",
        ALL_CORES,
        (
            "tests/tb/test_tb_smoke.py::test_tb_catches_a_broken_dut",
            "tests/rtl/test_assertions.py::test_assertion_fires",
        ),
        protocol=True,
    ),
    PlantedBug(
        "LUT_TC_BUG_DROP_STALLED",
        "the output register in `lut_tensor_core.sv`",
        "a stalled response is dropped (valid falls without a transfer): a response is lost",
        ALL_CORES,
        ("tests/rtl/test_assertions.py::test_assertion_fires",),
        protocol=True,
    ),
    PlantedBug(
        "LUT_TC_BUG_FP_RTZ",
        "`lut_fp32_add.sv` (every FP32 adder: table generator, LUT units, the MAC tree)",
        "FP32 additions truncate (round toward zero) instead of RNE; overflow gives FLT_MAX",
        FP_CORES,
        ("tests/rtl/test_fp32_add.py::test_planted_bug_fails_the_corners",),
        fp=True,
    ),
    PlantedBug(
        "LUT_TC_BUG_FP_FTZ",
        "`lut_fp32_add.sv` (every FP32 adder)",
        "a subnormal FP32 sum is flushed to a zero of its sign",
        FP_CORES,
        ("tests/rtl/test_fp32_add.py::test_planted_bug_fails_the_corners",),
        fp=True,
    ),
    PlantedBug(
        "LUT_TC_BUG_FP16_TRUNC",
        "`lut_fp32_add.sv` (its binary16 instances, `ExpW` = 5: the block benches "
        "`fpadd16` and `fpadd16z`, the binary16 table generator and LUT units of lut_tc, "
        "the binary16 MAC tree of mac)",
        "binary16 additions truncate (round toward zero) instead of RNE; overflow gives 65504",
        FP_CORES,
        (
            "tests/rtl/test_fp16_add.py::test_planted_bug_fails_the_corners",
            "tests/tb/test_fp16_core.py::test_a_truncating_fp16_adder_is_caught",
        ),
        fp=True,
        fp_accs=(1, 2),
    ),
    PlantedBug(
        "LUT_TC_BUG_FP_SUBNORMAL_IN",
        "`lut_fp_to_f32.sv` (activation conversion)",
        "a subnormal FP16, BF16 or FP8 activation converts to a zero of its sign",
        FP_CORES,
        ("tests/rtl/test_fp_units.py::test_planted_bug_fails_as_predicted",),
        fp=True,
        fp_accs=(0,),
    ),
    PlantedBug(
        "LUT_TC_BUG_FP_POW2_FTZ",
        "`lut_fp32_pow2.sv` (the LUT unit's power-of-two scaler; lut_tc only)",
        "a subnormal table entry scales to a zero of its sign",
        ("lut_tc",),
        (
            "tests/rtl/test_fp_units.py::test_planted_bug_fails_as_predicted",
            "tests/rtl/test_fp16_pow2.py::test_planted_bug_fails_as_predicted",
        ),
        fp=True,
    ),
    PlantedBug(
        "LUT_TC_BUG_FP_MUL_FTZ",
        "`mac_fp_mul.sv` (the MAC unit's multiplier, binary32 and binary16; mac only)",
        "a subnormal activation multiplies as a zero of the product's sign",
        ("mac",),
        (
            "tests/rtl/test_fp_units.py::test_planted_bug_fails_as_predicted",
            "tests/rtl/test_fp_units.py::test_a_block_netlist_of_broken_rtl_fails_as_predicted",
            "tests/rtl/test_fp16_mul.py::test_planted_bug_fails_as_predicted",
        ),
        fp=True,
    ),
)

BY_DEFINE = {b.define: b for b in PLANTED}


def check_define(define: str, core: str | None = None, what: str = "define") -> str:
    """``define`` if it is a planted bug (that ``core`` has a block for), else ValueError:
    one line naming the valid choices and where each is described."""
    bug = BY_DEFINE.get(define)
    if bug is None:
        raise ValueError(
            f"{what}={define!r} unknown; choose one of {', '.join(BY_DEFINE)} "
            f"(what each breaks: {DOC})"
        )
    if core is not None and core not in bug.cores:
        fits = [b.define for b in PLANTED if core in b.cores]
        where = bug.block.replace("`", "")
        raise ValueError(
            f"{what}={define!r}: core {core} has no block with that bug; "
            f"on {core} choose one of {fits} ({define} lives in {where})"
        )
    return define
