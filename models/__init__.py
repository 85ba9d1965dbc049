# SPDX-License-Identifier: Apache-2.0
"""The bit-exact reference of the core: configuration (the single source of truth),
weight encoding, tables, LMMA, ISA, the core and batch models, the GEMM tiler.

Plain Python and numpy; it imports nothing of ours (not the environment
``tb/``, the flow ``flow/`` or ``tools/``), so the RTL's generated package, the
testbench's predictor and every tool read one model (``tests/test_layering.py``).
"""
