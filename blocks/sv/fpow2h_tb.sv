// SPDX-License-Identifier: Apache-2.0
//
// Vector harness of the binary16 `lut_fp32_pow2` (ExpW 5, FracW 10; vector
// files, plusargs and output lines in fp_block_check.sv): input 0 is x, a
// binary16 pattern in bits [15:0], input 1 the control word (bit 8: neg,
// bits [7:0]: shift, at most MaxShift); (+-x) * 2^shift, in bits [15:0] with
// [31:16] zero, is checked.
module fpow2h_tb #(
  parameter int MaxVec   = 1 << 19,
  parameter int MaxShift = 7,
  parameter int ExpW     = 5,
  parameter int FracW    = 10
);
  localparam int ShiftW = (MaxShift < 2) ? 1 : $clog2(MaxShift + 1);

  /* verilator lint_off UNUSEDSIGNAL */  // the block reads x's low half, neg and the shift
  logic [31:0] x, ctl;
  /* verilator lint_on UNUSEDSIGNAL */
  logic [15:0] y;

  lut_fp32_pow2 #(.MaxShift(MaxShift), .ExpW(ExpW), .FracW(FracW))
    u_dut (.x_i(x[15:0]), .neg_i(ctl[8]), .shift_i(ctl[ShiftW-1:0]), .y_o(y));

  fp_block_check #(.MaxVec(MaxVec), .Magic(32'h4650_5748), .Prefix("FPOW2H"))
    u_check (.in0_o(x), .in1_o(ctl), .out_i({16'h0000, y}));
endmodule : fpow2h_tb
