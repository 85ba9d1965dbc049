// SPDX-License-Identifier: Apache-2.0
//
// Vector harness of the binary16 `mac_fp_mul` (ExpW 5, FracW 10, flush-to-zero; vector
// files, plusargs and output lines in fp_block_check.sv): input 0 is x, a
// binary16 pattern in bits [15:0], input 1 the control word (bit 8: neg,
// bits [7:0]: mag, odd); RNE16(x * (neg ? -mag : mag)), in bits [15:0] with
// [31:16] zero, is checked.
module fmul16z_tb #(
  parameter int MaxVec = 1 << 19,
  parameter int SigW   = 11,
  parameter int MagW   = 8,
  parameter int ExpW   = 5,
  parameter int FracW  = 10,
  parameter bit Ftz    = 1'b1
);
  /* verilator lint_off UNUSEDSIGNAL */  // the block reads x's low half, neg and the magnitude
  logic [31:0] x, ctl;
  /* verilator lint_on UNUSEDSIGNAL */
  logic [15:0] y;

  mac_fp_mul #(.SigW(SigW), .MagW(MagW), .ExpW(ExpW), .FracW(FracW), .Ftz(Ftz))
    u_dut (.x_i(x[15:0]), .neg_i(ctl[8]), .mag_i(ctl[MagW-1:0]), .y_o(y));

  fp_block_check #(.MaxVec(MaxVec), .Magic(32'h464D_4C5A), .Prefix("FMUL16Z"))
    u_check (.in0_o(x), .in1_o(ctl), .out_i({16'h0000, y}));
endmodule : fmul16z_tb
