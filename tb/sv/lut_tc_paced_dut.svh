// SPDX-License-Identifier: Apache-2.0
//
// The paced core as a harness sees it: one macro that declares the payload
// widths, the nets of the core behind its pacer and the instance u_dut
// (lut_tc_paced_core; the core is u_dut.u_core). Both SystemVerilog
// harnesses around the core (the stream bridge lut_tc_bridge and the replay
// harness lut_tc_replay_tb) expand it in their module body, so they drive,
// throttle and watch the core through the same nets:
//
//   `LUT_TC_PACED_DUT(clk, rst_n, gap_pct, bp_pct, seed, rsp_ready)
//
// The arguments are the harness's clock, active-low reset, the pacer's gap
// and back-pressure percentages and seed, and its own readiness for a
// response. The module must have the parameters M, N, T, WBitsMax, Formats,
// Core, FpAcc and include the package names (import lut_tc_pkg::*). It declares:
//
//   AW, WW, CW       widths of in_a_i, in_w_i, in_c_i / out_d_o
//   AL, WL, CL       32-bit lanes per payload of each
//   in_valid, in_instr, in_a, in_w, in_c    the instruction, driven by the harness
//   in_ready                                taken by the pacer and the core
//   out_valid, out_tag, out_status, out_d   the response, read by the harness
//   in_wait, out_wait, hold_err             stalls and the hold check (lut_tc_paced_core)
//
// A macro, not an include of module text: the harnesses name their clock,
// reset and pacing differently (ports of the bridge, variables of the
// replay harness), and a file listed before them needs no include path.
// Include it with an outer guard, as rtl/lut_tc_assert.svh:
//
//   `ifndef LUT_TC_PACED_DUT_SVH
//   `include "lut_tc_paced_dut.svh"
//   `endif
`ifndef LUT_TC_PACED_DUT_SVH
`define LUT_TC_PACED_DUT_SVH

`define LUT_TC_PACED_DUT(clk, rst_n, gap_pct, bp_pct, seed, rsp_ready) \
  localparam int AW = M * K * ActLaneW; \
  localparam int WW = WBitsMax * N * CodeW; \
  localparam int CW = M * N * AccW; \
  localparam int AL = (AW + 31) / 32; \
  localparam int WL = (WW + 31) / 32; \
  localparam int CL = (CW + 31) / 32; \
  logic               in_valid, in_ready, out_valid; \
  logic [InstrW-1:0]  in_instr; \
  logic [AW-1:0]      in_a; \
  logic [WW-1:0]      in_w; \
  logic [CW-1:0]      in_c; \
  logic [TagW-1:0]    out_tag; \
  logic [StatusW-1:0] out_status; \
  logic [CW-1:0]      out_d; \
  logic [31:0]        in_wait, out_wait; \
  logic               hold_err; \
  lut_tc_paced_core #( \
    .M        (M), \
    .N        (N), \
    .T        (T), \
    .WBitsMax (WBitsMax), \
    .Formats  (Formats), \
    .Core     (Core), \
    .FpAcc    (FpAcc) \
  ) u_dut ( \
    .clk_i        (clk), \
    .rst_ni       (rst_n), \
    .gap_pct_i    (gap_pct), \
    .bp_pct_i     (bp_pct), \
    .seed_i       (seed), \
    .src_valid_i  (in_valid), \
    .src_ready_o  (in_ready), \
    .src_instr_i  (in_instr), \
    .src_a_i      (in_a), \
    .src_w_i      (in_w), \
    .src_c_i      (in_c), \
    .rsp_valid_o  (out_valid), \
    .rsp_ready_i  (rsp_ready), \
    .rsp_tag_o    (out_tag), \
    .rsp_status_o (out_status), \
    .rsp_d_o      (out_d), \
    .in_wait_o    (in_wait), \
    .out_wait_o   (out_wait), \
    .hold_err_o   (hold_err) \
  );

`endif  // LUT_TC_PACED_DUT_SVH
