# SPDX-License-Identifier: Apache-2.0
"""A stand-in for ``lut_tensor_core`` the synthesis tests map: registers, then a chain of
dependent 16-bit adders, then a register, so its depth and delay grow with the chain."""

from __future__ import annotations

from pathlib import Path


def adder_chain_core(out_dir: Path, adds: int) -> Path:
    """Write the stand-in with ``adds`` adders in the chain; its source file."""
    src = out_dir / f"add{adds}.sv"
    chain = " + ".join(f"a_q[{i}]" for i in range(adds + 1))
    src.write_text(
        "module lut_tensor_core #(parameter int M = 2, parameter int N = 4,\n"
        "  parameter int T = 4, parameter int WBitsMax = 4, parameter int Formats = 3,\n"
        "  parameter int Core = 0)\n"
        f"  (input logic clk_i, input logic [{16 * (adds + 1) - 1}:0] in_a_i,\n"
        "   output logic [15:0] out_d_o);\n"
        f"  logic [15:0] a_q [{adds + 1}];\n  logic [15:0] d_q;\n"
        "  always_ff @(posedge clk_i) begin\n"
        f"    for (int i = 0; i < {adds + 1}; i++) a_q[i] <= in_a_i[16 * i +: 16];\n"
        f"    d_q <= {chain};\n"
        "  end\n  assign out_d_o = d_q;\nendmodule\n"
    )
    return src
