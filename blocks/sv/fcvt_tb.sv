// SPDX-License-Identifier: Apache-2.0
//
// Vector harness of `lut_fp_to_f32` (vector files, plusargs and output lines
// in fp_block_check.sv): input 0 is the lane (bits [15:0]), input 1 the afmt
// code (bits [3:0]), the binary32 value is checked.
module fcvt_tb #(
  parameter int MaxVec = 1 << 19
);
  /* verilator lint_off UNUSEDSIGNAL */  // the block reads the low bits of each word
  logic [31:0] lane, afmt;
  /* verilator lint_on UNUSEDSIGNAL */
  logic [31:0] f32;

  lut_fp_to_f32 u_dut (.lane_i(lane[15:0]), .afmt_i(afmt[3:0]), .f32_o(f32));

  fp_block_check #(.MaxVec(MaxVec), .Magic(32'h4643_5654), .Prefix("FCVT"))
    u_check (.in0_o(lane), .in1_o(afmt), .out_i(f32));
endmodule : fcvt_tb
