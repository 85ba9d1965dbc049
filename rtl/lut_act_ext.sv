// SPDX-License-Identifier: Apache-2.0
// Activation latch input of the baseline cores (lut_conv, mac): the M*K lanes
// of `a_i` as signed ActW-bit values, read by format.
//
// An INT8 lane is bits [7:0] sign-extended (bits [15:8] are ignored), every
// other code is kept as its 16 bits (INT16, or the bit pattern of an FP
// format, which the MAC core converts when it executes). An instance with
// none of INT16, FP16 and BF16 stores 8-bit lanes (ActW = 8), bits [7:0]
// (INT8 or FP8); the decoder rejects an unbuilt format before anything is
// latched.
module lut_act_ext #(
  parameter  int M       = 2,
  parameter  int Formats = lut_tc_pkg::FormatsInt,  // bit k: afmt k is built
  // Derived, do not override.
  localparam bit Wide    = ((Formats >> lut_tc_pkg::AFmtInt16) & 1) != 0
                        || ((Formats >> lut_tc_pkg::AFmtFp16) & 1) != 0
                        || ((Formats >> lut_tc_pkg::AFmtBf16) & 1) != 0,
  localparam int ActW    = Wide ? lut_tc_pkg::ActLaneW : 8,
  localparam int AW      = M * lut_tc_pkg::K * lut_tc_pkg::ActLaneW
) (
  input  logic [AW-1:0]                     a_i,
  input  logic [lut_tc_pkg::AfmtW-1:0]      afmt_i,
  output logic [M*lut_tc_pkg::K*ActW-1:0]   acts_o
);
  `include "lut_tc_names.svh"

  logic is_int8;
  assign is_int8 = !Wide || (afmt_i == AFmtInt8);

  for (genvar l = 0; l < M * K; l++) begin : gen_lane
    logic signed [ActLaneW-1:0] lane;
    logic signed [7:0]          lane8;
    assign lane  = a_i[l*ActLaneW +: ActLaneW];
    assign lane8 = lane[7:0];
    assign acts_o[l*ActW +: ActW] = is_int8 ? ActW'(lane8) : ActW'(lane);
    if (!Wide) begin : gen_narrow
      logic unused_hi;  // every lane is INT8 or FP8: bits [15:8] are ignored
      assign unused_hi = ^lane[ActLaneW-1:8];
    end
  end

endmodule : lut_act_ext
