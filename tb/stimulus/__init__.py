# SPDX-License-Identifier: Apache-2.0
"""Stimulus library: instruction streams as ``models.batch.Batch``, no simulator import.

Plain Python + numpy + ``models`` + ``tb.coverage.bins``, so streams can be built,
inspected and checked against the model anywhere (pytest, tools, either
testbench). Every generator takes a seeded ``numpy.random.Generator`` from
the caller and numbers its tags from 0; :func:`concat` / :func:`retag`
renumber when scenarios are joined.

| function | scenario |
|---|---|
| :func:`random_stream` | constrained-random stream steered by :class:`Knobs` |
| :func:`long_stream` | presets ``full``, ``fp``, ``bench``, ``lmma`` (:data:`PRESETS`), in LMMAs |
| :func:`directed` | one LUTGEN + LMMA per built activation format and weight width |
| :func:`error_injection` | every illegal field, status priority, the coverage cross, random words |
| :func:`gemm` | a quantized GEMM through ``models.tiler`` with its end-to-end checks |
"""

from tb.stimulus.directed import directed
from tb.stimulus.errors import cross_keys, error_injection
from tb.stimulus.fp_payloads import FP_C_MODES, FP_MODES
from tb.stimulus.gemm import WEIGHTS, GemmProgram, gemm
from tb.stimulus.knobs import AFMT_GROUPS, AFMTS, ERROR_KINDS, MIX_KINDS, Knobs
from tb.stimulus.payloads import ACT_MODES, C_MODES
from tb.stimulus.presets import PRESETS, long_stream, preset, seeded_stream
from tb.stimulus.random_stream import random_stream
from tb.stimulus.words import concat, decode_words, encode_words, retag

__all__ = [
    "ACT_MODES",
    "AFMTS",
    "AFMT_GROUPS",
    "C_MODES",
    "ERROR_KINDS",
    "FP_C_MODES",
    "FP_MODES",
    "MIX_KINDS",
    "PRESETS",
    "WEIGHTS",
    "GemmProgram",
    "Knobs",
    "concat",
    "cross_keys",
    "decode_words",
    "directed",
    "encode_words",
    "error_injection",
    "gemm",
    "long_stream",
    "preset",
    "random_stream",
    "retag",
    "seeded_stream",
]
