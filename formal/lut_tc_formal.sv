// SPDX-License-Identifier: Apache-2.0
// The formal top: lut_tensor_core with every input free, under the
// assumptions the contract puts on its environment (docs/architecture.md
// sections 5 and 9), and nothing else. The properties live in
// formal/lut_tc_props.sv (instantiated by the core under `ifdef FORMAL`) and
// in the RTL's own assertions (rtl/lut_tc_assert.svh).
//
// Assumed:
//   - the run starts in reset (rst_ni low in the first cycle); afterwards
//     rst_ni is free, so reset can come at any moment;
//   - the sender holds an instruction: once in_valid_i is high without
//     in_ready_o, in_valid_i and the whole payload stay until accepted.
// Everything else (instructions, operands, out_ready_i) is any value in any
// cycle.

module lut_tc_formal #(
  parameter  int M        = 2,
  parameter  int N        = 4,
  parameter  int T        = 4,
  parameter  int WBitsMax = 4,
  parameter  int Formats  = lut_tc_pkg::FormatsInt,
  parameter  int Core     = lut_tc_pkg::CoreLutTc,
  localparam int AW       = M * lut_tc_pkg::K * lut_tc_pkg::ActLaneW,
  localparam int WW       = WBitsMax * N * lut_tc_pkg::CodeW,
  localparam int CW       = M * N * lut_tc_pkg::AccW
) (
  input  logic                              clk_i,
  input  logic                              rst_ni,
  input  logic                              in_valid_i,
  input  logic [lut_tc_pkg::InstrW-1:0]     in_instr_i,
  input  logic [AW-1:0]                     in_a_i,
  input  logic [WW-1:0]                     in_w_i,
  input  logic [CW-1:0]                     in_c_i,
  input  logic                              out_ready_i,
  output logic                              in_ready_o,
  output logic                              out_valid_o,
  output logic [lut_tc_pkg::TagW-1:0]       out_tag_o,
  output logic [lut_tc_pkg::StatusW-1:0]    out_status_o,
  output logic [CW-1:0]                     out_d_o
);
  lut_tensor_core #(
    .M        (M),
    .N        (N),
    .T        (T),
    .WBitsMax (WBitsMax),
    .Formats  (Formats),
    .Core     (Core)
  ) u_core (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .in_valid_i   (in_valid_i),
    .in_ready_o   (in_ready_o),
    .in_instr_i   (in_instr_i),
    .in_a_i       (in_a_i),
    .in_w_i       (in_w_i),
    .in_c_i       (in_c_i),
    .out_valid_o  (out_valid_o),
    .out_ready_i  (out_ready_i),
    .out_tag_o    (out_tag_o),
    .out_status_o (out_status_o),
    .out_d_o      (out_d_o)
  );

  // The previous cycle, registered explicitly: the assumptions constrain the
  // step they speak of (a clocked immediate assume would act one step late).
  logic                                f_past, p_rst, p_in_stall;
  logic [lut_tc_pkg::InstrW-1:0]       p_instr;
  logic [AW-1:0]                       p_a;
  logic [WW-1:0]                       p_w;
  logic [CW-1:0]                       p_c;
  initial f_past = 1'b0;
  always @(posedge clk_i) begin
    f_past     <= 1'b1;
    p_rst      <= rst_ni;
    p_in_stall <= in_valid_i && !in_ready_o;
    p_instr    <= in_instr_i;
    p_a        <= in_a_i;
    p_w        <= in_w_i;
    p_c        <= in_c_i;
  end

  always @* begin
    if (!f_past) begin
      env_starts_in_reset: assume (!rst_ni);
    end
    if (f_past && rst_ni && p_rst && p_in_stall) begin
      env_sender_holds: assume (in_valid_i && in_instr_i == p_instr && in_a_i == p_a
                                && in_w_i == p_w && in_c_i == p_c);
    end
  end

endmodule : lut_tc_formal
