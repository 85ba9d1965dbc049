// SPDX-License-Identifier: Apache-2.0
//
// Activation lane to IEEE-754 binary16, combinational: f16_o = the exact
// binary16 value of lane_i read in format afmt_i, for the binary16 FP
// datapath (FpAcc 1 or 2, docs/architecture.md section 10 "FP16
// accumulation"): the LUT Tensor Core's table generator and the MAC core's
// row converters both use it.
//
// Contract (what the model, models.fp16.to_f16, computes):
//   AFmtFp16     IEEE binary16 already: lane_i as is (a NaN keeps its
//                payload; every adder and multiplier after it answers the
//                canonical NaN)
//   AFmtFp8E5M2  binary16's top byte: {lane_i[7:0], 8'h00}
//   AFmtFp8E4M3  rebiased (+8, from bias 7 to 15); its three subnormals
//                m * 2^-9 normalized (binary16 normals); its NaN S.1111.111
//                the canonical 16'h7E00
//   any other    lane_i (integer codes never reach a binary16 block)
// Muxes only, no normalizing shifter. Built for FP8 only where Formats has
// an FP8 format; an FP16-only instance passes the lane through.
module lut_fp_to_f16 #(
  parameter  int Formats = lut_tc_pkg::FormatsAll,  // bit k: afmt k is built
  // Derived, do not override: an FP8 format is built.
  localparam bit HasFp8  = ((Formats >> lut_tc_pkg::AFmtFp8E4m3) & 1) != 0
                        || ((Formats >> lut_tc_pkg::AFmtFp8E5m2) & 1) != 0
) (
  input  logic [lut_tc_pkg::ActLaneW-1:0] lane_i,
  input  logic [lut_tc_pkg::AfmtW-1:0]    afmt_i,
  output logic [15:0]                     f16_o
);
  `include "lut_tc_names.svh"

  if (HasFp8) begin : gen_fp8
    logic        s8;
    logic [3:0]  e8;
    logic [2:0]  m8;
    logic [4:0]  e8x;
    logic [15:0] e4m3, e5m2;
    assign {s8, e8, m8} = lane_i[7:0];
    assign e8x  = {1'b0, e8} + 5'd8;
    assign e5m2 = {lane_i[7:0], 8'h00};
    assign e4m3 = (e8 == 4'hF && m8 == 3'h7) ? 16'h7E00
                : (e8 != 4'h0) ? {s8, e8x, m8, 7'b0}
                : m8[2] ? {s8, 5'd8, m8[1:0], 8'b0}
                : m8[1] ? {s8, 5'd7, m8[0], 9'b0}
                : m8[0] ? {s8, 5'd6, 10'b0}
                : {s8, 15'b0};
    assign f16_o = (afmt_i == AFmtFp8E4m3) ? e4m3
                 : (afmt_i == AFmtFp8E5m2) ? e5m2 : lane_i;
  end else begin : gen_fp16  // FP16 lanes are binary16 already
    logic unused_afmt;  // one FP format: nothing to choose
    assign unused_afmt = ^afmt_i;
    assign f16_o       = lane_i;
  end

endmodule : lut_fp_to_f16
