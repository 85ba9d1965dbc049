// SPDX-License-Identifier: Apache-2.0
//
// Vector harness of `lut_fp32_pow2` (vector files, plusargs and output lines
// in fp_block_check.sv): input 0 is x, input 1 the control word (bit 8: neg,
// bits [7:0]: shift, at most MaxShift), (+-x) * 2^shift is checked.
module fpow2_tb #(
  parameter int MaxVec = 1 << 19,
  // The scaler's MaxShift (its shift port is $clog2(MaxShift + 1) bits, at least 1).
  parameter int MaxShift = 7
);
  localparam int ShiftW = (MaxShift < 2) ? 1 : $clog2(MaxShift + 1);

  /* verilator lint_off UNUSEDSIGNAL */  // the block reads neg and the shift's bits
  logic [31:0] ctl;
  /* verilator lint_on UNUSEDSIGNAL */
  logic [31:0] x, y;

  lut_fp32_pow2 #(.MaxShift(MaxShift))
    u_dut (.x_i(x), .neg_i(ctl[8]), .shift_i(ctl[ShiftW-1:0]), .y_o(y));

  fp_block_check #(.MaxVec(MaxVec), .Magic(32'h4650_5732), .Prefix("FPOW2"))
    u_check (.in0_o(x), .in1_o(ctl), .out_i(y));
endmodule : fpow2_tb
