// SPDX-License-Identifier: Apache-2.0
//
// The core behind a seeded pacer: the one piece both SystemVerilog harnesses
// (the stream bridge `lut_tc_bridge` and the replay harness
// `lut_tc_replay_tb`) wrap around `lut_tensor_core`, so both drive, throttle
// and watch the core the same way.
//
//   harness --src (valid/ready)--> [gap] --in_*--> u_core --out_*--> [bp] --rsp (valid/ready)--> harness
//
// * Idle input gaps: after gap_pct_i percent of the accepts (drawn per
//   accept), in_valid_i of the core is held low for one cycle, however ready
//   the source is. A gap only ever follows an accept, so an instruction on
//   in_*_i is never withdrawn before the core takes it.
// * Back-pressure: in bp_pct_i percent of the cycles (drawn per cycle),
//   out_ready_i of the core is low, however ready the sink is.
// * Both draws come from xorshift32 generators seeded from seed_i at reset:
//   the same seed gives the same gaps and stalls in Icarus and Verilator.
// * Waits of the current handshakes (in_wait_o, out_wait_o) and the
//   valid/ready rule of the response channel (hold_err_o) for the harness to
//   record or count.
//
// The harness side is plain valid/ready: the source holds src_*_i while
// src_valid_i && !src_ready_o, the sink takes a response on a rising edge with
// rsp_valid_o && rsp_ready_i. Both harnesses change their outputs only by
// nonblocking assignment (or from registers), so the combinational paths
// through this module never race the core's sampling edge.
`ifndef LUT_TC_ASSERT_SVH
`include "lut_tc_assert.svh"
`endif

module lut_tc_paced_core #(
  parameter  int M        = 2,
  parameter  int N        = 64,
  parameter  int T        = 4,
  parameter  int WBitsMax = 4,
  parameter  int Formats  = lut_tc_pkg::FormatsInt,
  parameter  int Core     = lut_tc_pkg::CoreLutTc,
  parameter  int FpAcc    = 0,
  // Derived, do not override.
  localparam int AW       = M * lut_tc_pkg::K * lut_tc_pkg::ActLaneW,
  localparam int WW       = WBitsMax * N * lut_tc_pkg::CodeW,
  localparam int CW       = M * N * lut_tc_pkg::AccW,
  localparam int RW       = lut_tc_pkg::TagW + lut_tc_pkg::StatusW + CW  // one response
) (
  input  logic                           clk_i,
  input  logic                           rst_ni,
  // Pacing: percent of accepts followed by an idle input cycle, percent of
  // cycles with the core's out_ready_i low (0..100), generator seed (taken
  // while rst_ni is low).
  input  logic [6:0]                     gap_pct_i,
  input  logic [6:0]                     bp_pct_i,
  input  logic [31:0]                    seed_i,
  // Instructions from the harness.
  input  logic                           src_valid_i,
  output logic                           src_ready_o,
  input  logic [lut_tc_pkg::InstrW-1:0]  src_instr_i,
  input  logic [AW-1:0]                  src_a_i,
  input  logic [WW-1:0]                  src_w_i,
  input  logic [CW-1:0]                  src_c_i,
  // Responses to the harness.
  output logic                           rsp_valid_o,
  input  logic                           rsp_ready_i,
  output logic [lut_tc_pkg::TagW-1:0]    rsp_tag_o,
  output logic [lut_tc_pkg::StatusW-1:0] rsp_status_o,
  output logic [CW-1:0]                  rsp_d_o,
  // Rising edges the instruction on in_*_i has waited with in_valid_i high
  // and in_ready_o low; rising edges the response on out_*_o has waited with
  // out_valid_o high and out_ready_i low. Both are the count so far: sampled
  // at the handshake edge they are that instruction's / response's stall.
  output logic [31:0]                    in_wait_o,
  output logic [31:0]                    out_wait_o,
  // The response the core showed while stalled (out_valid_o && !out_ready_i
  // at the last edge) has changed or vanished: a valid/ready violation.
  output logic                           hold_err_o
);
  import lut_tc_pkg::*;

  localparam logic [31:0] BpSalt = 32'h9e3779b9;  // second generator: another stream

  function automatic logic [31:0] xorshift32(logic [31:0] x);
    logic [31:0] y;
    y = x ^ (x << 13);
    y = y ^ (y >> 17);
    return y ^ (y << 5);
  endfunction

  function automatic logic [31:0] nonzero(logic [31:0] x);
    return (x == '0) ? 32'h1 : x;
  endfunction

  // A draw of 0..99 below pct.
  function automatic logic hit(logic [31:0] rng, logic [6:0] pct);
    return pct != '0 && (rng % 32'd100) < 32'(pct);
  endfunction

  // ---------------------------------------------------------------------------
  // The core
  // ---------------------------------------------------------------------------
  logic               core_in_valid, core_in_ready, core_out_valid, core_out_ready;
  logic [TagW-1:0]    core_tag;
  logic [StatusW-1:0] core_status;
  logic [CW-1:0]      core_d;

  lut_tensor_core #(
    .M        (M),
    .N        (N),
    .T        (T),
    .WBitsMax (WBitsMax),
    .Formats  (Formats),
    .Core     (Core),
    .FpAcc    (FpAcc)
  ) u_core (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .in_valid_i   (core_in_valid),
    .in_ready_o   (core_in_ready),
    .in_instr_i   (src_instr_i),
    .in_a_i       (src_a_i),
    .in_w_i       (src_w_i),
    .in_c_i       (src_c_i),
    .out_valid_o  (core_out_valid),
    .out_ready_i  (core_out_ready),
    .out_tag_o    (core_tag),
    .out_status_o (core_status),
    .out_d_o      (core_d)
  );

  // ---------------------------------------------------------------------------
  // Pacing
  // ---------------------------------------------------------------------------
  logic        gap_q, gap_d, bp_q, bp_d;
  logic [31:0] gap_rng_q, gap_rng_d, bp_rng_q, bp_rng_d;
  logic [31:0] in_wait_q, in_wait_d, out_wait_q, out_wait_d;
  logic        stall_q, stall_d;
  logic [RW-1:0] hold_q, hold_d;
  logic        accept, stall;

  assign core_in_valid  = src_valid_i && !gap_q;
  assign src_ready_o    = core_in_ready && !gap_q;
  assign core_out_ready = rsp_ready_i && !bp_q;
  assign rsp_valid_o    = core_out_valid && !bp_q;
  assign rsp_tag_o      = core_tag;
  assign rsp_status_o   = core_status;
  assign rsp_d_o        = core_d;

  assign accept = core_in_valid && core_in_ready;
  assign stall  = core_out_valid && !core_out_ready;

  always_comb begin
    gap_rng_d  = gap_rng_q;
    gap_d      = 1'b0;
    bp_rng_d   = xorshift32(bp_rng_q);  // one draw per cycle
    bp_d       = hit(bp_rng_d, bp_pct_i);
    in_wait_d  = in_wait_q;
    out_wait_d = out_wait_q;
    stall_d    = stall;
    hold_d     = hold_q;
    if (accept) begin  // one draw per accept
      gap_d     = hit(gap_rng_q, gap_pct_i);
      gap_rng_d = xorshift32(gap_rng_q);
      in_wait_d = '0;
    end else if (core_in_valid) begin
      in_wait_d = in_wait_q + 32'd1;
    end
    if (core_out_valid && core_out_ready) begin
      out_wait_d = '0;
    end else if (stall) begin
      out_wait_d = out_wait_q + 32'd1;
    end
    if (stall) begin
      hold_d = {core_tag, core_status, core_d};
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      gap_q      <= 1'b0;
      bp_q       <= 1'b0;
      gap_rng_q  <= nonzero(seed_i);
      bp_rng_q   <= nonzero(seed_i ^ BpSalt);
      in_wait_q  <= '0;
      out_wait_q <= '0;
      stall_q    <= 1'b0;
      hold_q     <= '0;
    end else begin
      gap_q      <= gap_d;
      bp_q       <= bp_d;
      gap_rng_q  <= gap_rng_d;
      bp_rng_q   <= bp_rng_d;
      in_wait_q  <= in_wait_d;
      out_wait_q <= out_wait_d;
      stall_q    <= stall_d;
      hold_q     <= hold_d;
    end
  end

  assign in_wait_o  = in_wait_q;
  assign out_wait_o = out_wait_q;
  assign hold_err_o = stall_q && (!core_out_valid || hold_q !== {core_tag, core_status, core_d});

  // ---------------------------------------------------------------------------
  // The harness's side of the contract
  // ---------------------------------------------------------------------------
  `LUT_TC_ASSERT_KNOWN(SrcValidKnown, src_valid_i, "src_valid_i is X/Z after reset")
  `LUT_TC_ASSERT_KNOWN(RspReadyKnown, rsp_ready_i, "rsp_ready_i is X/Z after reset")
  `LUT_TC_ASSERT(GapPctRange, gap_pct_i <= 7'd100, "gap_pct_i is above 100 percent")
  `LUT_TC_ASSERT(BpPctRange, bp_pct_i <= 7'd100, "bp_pct_i is above 100 percent")

`ifdef LUT_TC_ASSERTIONS
  // The source must hold an instruction until it is taken (a gap never
  // withdraws one: it only follows an accept). Data holding is not checked:
  // a copy of every bus per cycle would slow the harnesses for a rule their
  // drivers keep by construction.
  logic src_wait_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      src_wait_q <= 1'b0;
    end else begin
      src_wait_q <= src_valid_i && !src_ready_o;
    end
  end

  `LUT_TC_ASSERT(SrcValidHeld, !src_wait_q || src_valid_i,
                 "the harness dropped src_valid_i before src_ready_o took the instruction")
`endif

endmodule : lut_tc_paced_core
