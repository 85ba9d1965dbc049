# SPDX-License-Identifier: Apache-2.0
"""Sequences: one per scenario, each a thin pyuvm wrapper over :mod:`tb.stimulus`.

The stimulus library (no cocotb import) builds the instruction stream with
its payloads from a seeded generator; the sequence gives it the run's tags
and sends it through the sequencer in items the transport likes (a few
instructions on ``pins``, hundreds on ``batch``). The same sequence runs on
every transport, and ``make replay`` writes the same streams as vectors.

| sequence | scenario |
|---|---|
| :class:`DirectedSeq` | one LUTGEN + LMMA per activation format and weight width |
| :class:`RandomStreamSeq` | constrained-random stream with knobs (:class:`tb.stimulus.Knobs`) |
| :class:`LongStreamSeq` | a long stream of a preset (``full``, ``bench``, ``lmma``) |
| :class:`PresetStreamSeq` | a preset from an explicit seed: the stream ``make replay`` replays |
| :class:`GemmSeq` | a whole quantized GEMM through ``models.tiler``, checked end to end |
| :class:`ErrorInjectionSeq` | every illegal field, status priority, the cross, random words |
"""

from tb.sequences.base import BatchSeq, TagAllocator
from tb.sequences.scenarios import (
    DirectedSeq,
    ErrorInjectionSeq,
    GemmSeq,
    LongStreamSeq,
    PresetStreamSeq,
    RandomStreamSeq,
)

__all__ = [
    "BatchSeq",
    "DirectedSeq",
    "ErrorInjectionSeq",
    "GemmSeq",
    "LongStreamSeq",
    "PresetStreamSeq",
    "RandomStreamSeq",
    "TagAllocator",
]
