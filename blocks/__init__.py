# SPDX-License-Identifier: Apache-2.0
"""Block benches: the FP blocks (adder, converter, scaler, multiplier) on their own.

One pure-SystemVerilog harness (``blocks/sv/``) and one vector-set module
(:mod:`blocks.vectors`) serve the four combinational FP blocks of ``rtl/``;
:mod:`blocks.harness` builds and runs it. See ``blocks/README.md`` for what
this package may import.
"""
