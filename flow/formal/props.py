# SPDX-License-Identifier: Apache-2.0
"""The formal property sets: what each proves, in words, and which planted bug each catches.

One record per property, in the order the table shows them. The names are the
labels of the ``assert`` statements in ``formal/lut_tc_props.sv`` (and the
block names of the RTL's own ``LUT_TC_ASSERT`` checks), so a failure in a
SymbiYosys log maps back to a row here; a test holds this list to the sources.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Set name -> the define that turns it on in the checker (``None``: always on),
#: and what it is about.
GROUPS: dict[str, tuple[str | None, str]] = {
    "lemmas": (None, "the core's control state is the specification model's"),
    "rtl": ("LUT_TC_ASSERTIONS", "the RTL's own assertions (rtl/lut_tc_assert.svh)"),
    "handshake": ("LUT_TC_FV_HANDSHAKE", "valid/ready on both channels"),
    "order": ("LUT_TC_FV_ORDER", "one response per instruction, in order"),
    "timing": ("LUT_TC_FV_TIMING", "latency as the contract states it"),
    "reset": ("LUT_TC_FV_RESET", "reset at any moment returns to idle"),
    "state": ("LUT_TC_FV_STATE", "status priority; errors change no state"),
    "datapath": (None, "lut_tc's integer table generator and lookup, for every input"),
    "agree": (None, "one unit's integer LMMA, b planes, equals the contract's arithmetic"),
}
#: Sets proven on some cores only (the others have no such block).
SET_CORES = {"datapath": ("lut_tc",)}
#: Sets about the integer datapath: proven at integer configurations only.
INT_SETS = ("datapath", "agree")
#: The define of the cover properties (run in their own task, mode ``cover``).
COVER_DEFINE = "LUT_TC_FV_COVER"


@dataclass(frozen=True)
class Prop:
    """One proven property."""

    name: str
    group: str
    says: str


PROPS: tuple[Prop, ...] = (
    Prop(
        "lemma_ex_valid",
        "lemmas",
        "execute stage busy exactly when the model has an instruction in it",
    ),
    Prop("lemma_ex_tag", "lemmas", "the executing instruction's tag is the model's"),
    Prop("lemma_ex_status", "lemmas", "the executing instruction's status is the model's"),
    Prop("lemma_ex_lmma", "lemmas", "the execute stage runs the array for OK LMMAs only"),
    Prop("lemma_age", "lemmas", "the model's age stays within 1..b"),
    Prop("lemma_plane", "lemmas", "plane counter = age - 1, last plane = b - 1"),
    Prop("lemma_not_lmma", "lemmas", "LUTGEN and errors execute in one cycle"),
    Prop("lemma_ok_lmma", "lemmas", "only an OK LMMA runs the array"),
    Prop("lemma_tables", "lemmas", "table valid bits and formats are those OK LUTGENs wrote"),
    Prop("lemma_out", "lemmas", "the output register holds the model's response"),
    Prop("PlaneInRange", "rtl", "bit-plane counter never runs past the last plane"),
    Prop("LmmaTableValid", "rtl", "an executing LMMA reads a valid table register"),
    Prop("OutDZeroUnlessOk", "rtl", "an error response carries D = 0"),
    Prop("OutValidHeld", "rtl", "out_valid_o stays high until out_ready_i"),
    Prop("OutDataHeld", "rtl", "the response does not change while stalled"),
    Prop("InValidHeld", "rtl", "the sender holds in_valid_i (assumed of the environment)"),
    Prop("ParamM", "rtl", "parameter M in range"),
    Prop("ParamN", "rtl", "parameter N in range"),
    Prop("ParamT", "rtl", "parameter T in range"),
    Prop("ParamFormats", "rtl", "parameter Formats a valid mask"),
    Prop("ParamCore", "rtl", "parameter Core one of the three"),
    Prop("ParamCoreFormats", "rtl", "lut_conv builds integer formats only"),
    Prop("ParamFpAcc", "rtl", "FpAcc 0, or 1/2 on lut_tc or mac with an FP format and no BF16"),
    Prop("ParamWBitsMax", "rtl", "parameter WBitsMax in 1..8"),
    Prop("out_valid_held", "handshake", "out_valid_o, once high, held until out_ready_i"),
    Prop("out_payload_stable", "handshake", "tag, status and D stable while stalled"),
    Prop(
        "in_ready_not_early", "handshake", "in_ready_o only when the stage can take an instruction"
    ),
    Prop(
        "in_ready_not_late", "handshake", "in_ready_o whenever it can (back-pressure as documented)"
    ),
    Prop("no_response_without_instr", "order", "no response without an accepted instruction"),
    Prop("response_in_order", "order", "responses in issue order, each with its own tag"),
    Prop("every_instr_answered", "order", "every accepted instruction is answered, exactly once"),
    Prop("latency_on_time", "timing", "response b cycles after accept (1 on MAC) when output free"),
    Prop("latency_not_early", "timing", "no response before the contract's cycle"),
    Prop("reset_idle", "reset", "after reset: idle, no response, ready, tables invalid"),
    Prop("status_priority", "state", "status is the decoder's, first rule first"),
    Prop("error_keeps_state", "state", "an error changes no table register, valid bit or format"),
    Prop(
        "table_subset_sums", "datapath", "table entry j = a3 + sum (2 j_k - 1) a_k, INT8 and INT16"
    ),
    Prop("lookup_masked_sum", "datapath", "a step adds (neg ? -T[sel] : T[sel]) << i, INT32 wrap"),
    Prop(
        "planes_partial_sum",
        "agree",
        "bit-serial: after planes 0..i < b-1, C + sum 2^i' F[idx_i'] (INT32 wrap)",
    ),
    Prop("planes_sum", "agree", "bit-serial: the last plane's sum, C + sum_{i<b} 2^i F[idx_i]"),
    Prop("mac_dequant", "agree", "mac: the column dequantizer gives w_k = 2 q_k - (2^b - 1)"),
    Prop("mac_product", "agree", "mac: the unit's sum is C + sum_k a_k w_k (INT32 wrap)"),
)
#: The properties of a set a core proves (``agree``: its own datapath's).
CORE_PROPS = {
    ("agree", "lut_tc"): ("planes_partial_sum", "planes_sum"),
    ("agree", "lut_conv"): ("planes_partial_sum", "planes_sum"),
    ("agree", "mac"): ("mac_dequant", "mac_product"),
}

#: The covers (``formal/lut_tc_props.sv``): each must be reached, or the run fails.
COVERS: tuple[str, ...] = (
    "cover_stalled_ok_lmma",
    "cover_back_pressure",
    "cover_two_in_flight",
    "cover_longest_lmma",
    "cover_back_to_back",
    "cover_status_ok",
    "cover_status_illegal",
    "cover_status_unsupported",
    "cover_status_treg_range",
    "cover_status_table_invalid",
    "cover_error_over_tables",
    "cover_table_rewrite",
    "cover_reset_in_flight",
)
#: The covers of the datapath lemmas (``formal/lut_tc_lemmas.sv``).
DATAPATH_COVERS: tuple[str, ...] = ("cover_negated_last_plane", "cover_int16_entry")

#: Planted bugs (``flow/bugs.py``) -> the property sets that must fail on them.
CATCHES: dict[str, tuple[str, ...]] = {
    "LUT_TC_BUG_OVERWRITE_STALLED": ("rtl", "handshake", "order"),
    "LUT_TC_BUG_DROP_STALLED": ("rtl", "handshake", "order"),
    "LUT_TC_BUG_NO_NEGATE": ("datapath", "agree"),
    "LUT_TC_BUG_SWAP_ENTRIES": ("datapath", "agree"),
}
#: (planted bug, core) -> sets that exist there but do not see it: lut_tc's agree lemma
#: takes the table lut_table_gen built (table_subset_sums is about that table).
BLIND = {("LUT_TC_BUG_SWAP_ENTRIES", "lut_tc"): ("agree",)}


def by_group(group: str, core: str | None = None) -> tuple[Prop, ...]:
    """The properties of set ``group`` (on ``core``, where the set's properties differ by
    core)."""
    names = CORE_PROPS.get((group, core or ""))
    return tuple(p for p in PROPS if p.group == group and (names is None or p.name in names))
