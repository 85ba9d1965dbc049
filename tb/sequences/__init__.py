"""Sequence library: one sequence per scenario (OpenTitan ``seq_lib`` style).

| sequence | scenario |
|---|---|
| :class:`DirectedSeq` | one LUTGEN + LMMA per activation format and weight width |
| :class:`RandomStreamSeq` | constrained-random stream with knobs (:class:`StreamKnobs`) |
| :class:`GemmSeq` | a whole quantized GEMM through ``models.tiler``, checked end to end |
| :class:`ErrorInjectionSeq` | every illegal field, status priority, random words |
"""

from tb.sequences.base import LutTcBaseSeq, TagAllocator
from tb.sequences.directed import DirectedSeq
from tb.sequences.error_injection import ErrorInjectionSeq
from tb.sequences.gemm import GemmSeq
from tb.sequences.random_stream import RandomStreamSeq, StreamKnobs

__all__ = [
    "DirectedSeq",
    "ErrorInjectionSeq",
    "GemmSeq",
    "LutTcBaseSeq",
    "RandomStreamSeq",
    "StreamKnobs",
    "TagAllocator",
]
