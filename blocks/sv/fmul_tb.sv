// SPDX-License-Identifier: Apache-2.0
//
// Vector harness of `mac_fp_mul` (vector files, plusargs and output lines in
// fp_block_check.sv): input 0 is x, input 1 the control word (bit 8: neg,
// bits [7:0]: mag, odd, below 2^MagW), x * (neg ? -mag : mag) is checked.
module fmul_tb #(
  parameter int MaxVec = 1 << 19,
  // The multiplier's widths: FP16's significand (every format's converted
  // value fits it) and 8-bit weight magnitudes.
  parameter int SigW = 11,
  parameter int MagW = 8
);
  /* verilator lint_off UNUSEDSIGNAL */  // the block reads neg and the magnitude's bits
  logic [31:0] ctl;
  /* verilator lint_on UNUSEDSIGNAL */
  logic [31:0] x, y;

  mac_fp_mul #(.SigW(SigW), .MagW(MagW))
    u_dut (.x_i(x), .neg_i(ctl[8]), .mag_i(ctl[MagW-1:0]), .y_o(y));

  fp_block_check #(.MaxVec(MaxVec), .Magic(32'h464D_554C), .Prefix("FMUL"))
    u_check (.in0_o(x), .in1_o(ctl), .out_i(y));
endmodule : fmul_tb
