// SPDX-License-Identifier: Apache-2.0
//
// Vector harness of the binary16 `lut_fp32_add` (ExpW 5, FracW 10), flush-to-zero
// (Ftz = 1'b1; vector files, plusargs and output lines in fp_block_check.sv):
// input 0 is a, input 1 is b, each a binary16 pattern in bits [15:0] of its
// word; the sum, in bits [15:0] with [31:16] zero, is checked.
module fpadd16z_tb #(
  parameter int MaxVec = 1 << 19,
  parameter int ExpW   = 5,
  parameter int FracW  = 10,
  parameter bit Ftz    = 1'b1
);
  /* verilator lint_off UNUSEDSIGNAL */  // the adder reads the low half of each word
  logic [31:0] a, b;
  /* verilator lint_on UNUSEDSIGNAL */
  logic [15:0] sum;

  lut_fp32_add #(.ExpW(ExpW), .FracW(FracW), .Ftz(Ftz))
    u_dut (.a_i(a[15:0]), .b_i(b[15:0]), .sum_o(sum));

  fp_block_check #(.MaxVec(MaxVec), .Magic(32'h4641_445A), .Prefix("FPADD16Z"), .In0("a"), .In1("b"))
    u_check (.in0_o(a), .in1_o(b), .out_i({16'h0000, sum}));
endmodule : fpadd16z_tb
