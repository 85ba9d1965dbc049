// SPDX-License-Identifier: Apache-2.0
//
// Pure-SystemVerilog replay harness of `lut_tensor_core`: no Python in the loop.
//
// `flow/replay` (front end `tools/replay.py`) writes a vector set with the
// Python model (models/) and this module replays it at simulator speed, comparing every response (tag,
// status, D) bit-exactly with the model's. It is both the "limit" of the
// benchmark (what a testbench could reach with zero verification overhead)
// and a long-vector regression (`make replay`).
//
// Vector set: a directory given by +dir=<path>, all files read with $readmemh.
// Pool files are written as 32-bit lanes (lane 0 = bits [31:0] of an entry)
// so that loading stays linear in the file size (Verilator shifts the whole
// destination word per hex digit, which is quadratic for 4096-bit words);
// the wide entries are assembled once, before reset is released.
//
//   meta.hex  32-bit words: [0] n_vec  [1] n_a  [2] n_w  [3] n_c  [4] n_d
//                           [5] format version (2)
//                           [6] M  [7] N  [8] T  [9] WBitsMax  [10] Formats
//                           (checked)
//   vec.hex   one 128-bit record per instruction, in issue order:
//               [31:0]    instruction word           (driven on in_instr_i)
//               [39:32]   expected tag
//               [43:40]   expected status
//               [47:44]   reserved (0)
//               [67:48]   index into a.hex           (driven on in_a_i)
//               [87:68]   index into w.hex           (driven on in_w_i)
//               [107:88]  index into c.hex           (driven on in_c_i)
//               [127:108] index into d.hex           (expected out_d_o)
//   a.hex w.hex c.hex d.hex   payload pools, ceil(width/32) lanes per entry
//
// Payloads are pooled and deduplicated by the writer: a stream of 10^5 LMMAs
// over a few hundred distinct payloads loads in milliseconds, yet every
// response is compared in full against its own expected D.
//
// Plusargs:
//   +dir=<path>         vector directory (required)
//   +bp=<0..100>        back-pressure: percent of cycles with out_ready_i low
//   +gap=<0..100>       percent of accepts followed by an idle input cycle
//   +seed=<n>           seed of the back-pressure / gap generator (xorshift32)
//   +max_errors=<n>     stop after n mismatches (default 1: the first one)
//   +timeout=<cycles>   fail if no response arrives for this long (default 10000)
//   +repeat=<n>         replay the stream n times, with a reset pulse in between
//                       (steady-state throughput measurements)
//   +quiet             no progress lines
//
// The core and its gap/back-pressure generator are `lut_tc_paced_core`
// (instance u_dut; the core is u_dut.u_core), declared with its nets by the
// macro of tb/sv/lut_tc_paced_dut.svh, shared with the stream bridge.
//
// Output lines parsed by flow/replay/harness.py:
//   REPLAY_LOADED n_vec=..
//   REPLAY_MISMATCH index=.. ...            (per mismatch, up to max_errors)
//   REPLAY_STATS vectors=.. repeat=.. checked=.. ok=.. errors=.. cycles=.. first_accept=..
//                last_resp=.. lmma_ok=.. lmma_planes=.. lutgen=.. other=..
//   REPLAY_RESULT PASS | REPLAY_RESULT FAIL first_mismatch=<index>
// A failure also ends with $fatal (non-zero exit code in both simulators).
`ifndef LUT_TC_PACED_DUT_SVH
`include "lut_tc_paced_dut.svh"
`endif

// A testbench, not RTL: blocking assignments in the clocked process and NBAs
// in the initial block are deliberate.
/* verilator lint_off BLKSEQ */
/* verilator lint_off INITIALDLY */
/* verilator lint_off UNUSEDSIGNAL */
/* verilator lint_off SYNCASYNCNET */
module lut_tc_replay_tb #(
  parameter int M        = 2,
  parameter int N        = 64,
  parameter int T        = 4,
  parameter int WBitsMax = 4,
  parameter int Formats  = lut_tc_pkg::FormatsInt,
  parameter int Core     = lut_tc_pkg::CoreLutTc,
  parameter int FpAcc    = 0,  // the core's FP datapath: 0 binary32, 1/2 binary16
  // Capacities (entries); flow/replay raises them when a vector set needs it.
  parameter int MaxVec   = 1 << 18,
  parameter int MaxA     = 1024,
  parameter int MaxW     = 1024,
  parameter int MaxC     = 1024,
  parameter int MaxD     = 16384
);
  import lut_tc_pkg::*;

  localparam int Version = 2;

  // ---------------------------------------------------------------------------
  // Clock, reset, the core behind the pacer (gaps, back-pressure, hold check)
  // ---------------------------------------------------------------------------
  logic clk;
  logic rst_n;
  initial begin
    clk   = 1'b0;
    rst_n = 1'b0;
  end
  always #5 clk = ~clk;

  logic [6:0]  gap_pct, bp_pct;
  logic [31:0] seed;

  // The payload widths AW/WW/CW and lanes per pool entry AL/WL/CL, the nets
  // in_* / out_* and u_dut, as the stream bridge has them
  // (tb/sv/lut_tc_paced_dut.svh). Back-pressure comes from the pacer only.
  `LUT_TC_PACED_DUT(clk, rst_n, gap_pct, bp_pct, seed, 1'b1)

  // ---------------------------------------------------------------------------
  // Vector memories
  // ---------------------------------------------------------------------------
  logic [31:0]  meta    [16];
  logic [127:0] vec_mem [MaxVec];
  logic [31:0]  a_lanes [MaxA * AL];
  logic [31:0]  w_lanes [MaxW * WL];
  logic [31:0]  c_lanes [MaxC * CL];
  logic [31:0]  d_lanes [MaxD * CL];
  logic [AW-1:0] a_pool [MaxA];
  logic [WW-1:0] w_pool [MaxW];
  logic [CW-1:0] c_pool [MaxC];
  logic [CW-1:0] d_pool [MaxD];

  string       dir;
  int unsigned n_vec, n_a, n_w, n_c, n_d;
  int unsigned max_errors, timeout;
  bit          quiet;

  function automatic void check_count(string what, int unsigned n, int unsigned lo,
                                      int unsigned cap);
    if (n < lo || n > cap) begin
      $display("REPLAY_ERROR %s=%0d outside [%0d, %0d]: rebuild with larger capacities",
               what, n, lo, cap);
      $fatal(1, "replay: bad vector set");
    end
  endfunction

  function automatic void check_param(string what, int unsigned got, int unsigned want);
    if (got != want) begin
      $display("REPLAY_ERROR vector set is for %s=%0d, harness built with %0d", what, got,
               want);
      $fatal(1, "replay: vector set does not match the build");
    end
  endfunction

  task automatic load_vectors;
    logic [AL*32-1:0] ta;
    logic [WL*32-1:0] tw;
    logic [CL*32-1:0] tc;
    if (!$value$plusargs("dir=%s", dir)) begin
      $display("REPLAY_ERROR no +dir=<vector directory>");
      $fatal(1, "replay: no vectors");
    end
    $readmemh({dir, "/meta.hex"}, meta, 0, 10);
    n_vec = meta[0];
    n_a   = meta[1];
    n_w   = meta[2];
    n_c   = meta[3];
    n_d   = meta[4];
    check_param("version", meta[5], Version);
    check_param("M", meta[6], M);
    check_param("N", meta[7], N);
    check_param("T", meta[8], T);
    check_param("WBitsMax", meta[9], WBitsMax);
    check_param("Formats", meta[10], Formats);
    check_count("n_vec", n_vec, 1, MaxVec);
    check_count("n_a", n_a, 1, MaxA);
    check_count("n_w", n_w, 1, MaxW);
    check_count("n_c", n_c, 1, MaxC);
    check_count("n_d", n_d, 1, MaxD);
    $readmemh({dir, "/vec.hex"}, vec_mem, 0, n_vec - 1);
    $readmemh({dir, "/a.hex"}, a_lanes, 0, n_a * AL - 1);
    $readmemh({dir, "/w.hex"}, w_lanes, 0, n_w * WL - 1);
    $readmemh({dir, "/c.hex"}, c_lanes, 0, n_c * CL - 1);
    $readmemh({dir, "/d.hex"}, d_lanes, 0, n_d * CL - 1);
    for (int unsigned e = 0; e < n_a; e++) begin
      for (int l = 0; l < AL; l++) ta[l*32 +: 32] = a_lanes[e*AL + l];
      a_pool[e] = ta[AW-1:0];
    end
    for (int unsigned e = 0; e < n_w; e++) begin
      for (int l = 0; l < WL; l++) tw[l*32 +: 32] = w_lanes[e*WL + l];
      w_pool[e] = tw[WW-1:0];
    end
    for (int unsigned e = 0; e < n_c; e++) begin
      for (int l = 0; l < CL; l++) tc[l*32 +: 32] = c_lanes[e*CL + l];
      c_pool[e] = tc[CW-1:0];
    end
    for (int unsigned e = 0; e < n_d; e++) begin
      for (int l = 0; l < CL; l++) tc[l*32 +: 32] = d_lanes[e*CL + l];
      d_pool[e] = tc[CW-1:0];
    end
  endtask

  // Record fields.
  function automatic logic [31:0] rec_instr(logic [127:0] r);
    return r[31:0];
  endfunction
  function automatic logic [TagW-1:0] rec_tag(logic [127:0] r);
    return r[39:32];
  endfunction
  function automatic logic [StatusW-1:0] rec_status(logic [127:0] r);
    return r[43:40];
  endfunction
  function automatic int unsigned rec_a(logic [127:0] r);
    return 32'(r[67:48]);
  endfunction
  function automatic int unsigned rec_w(logic [127:0] r);
    return 32'(r[87:68]);
  endfunction
  function automatic int unsigned rec_c(logic [127:0] r);
    return 32'(r[107:88]);
  endfunction
  function automatic int unsigned rec_d(logic [127:0] r);
    return 32'(r[127:108]);
  endfunction

  // ---------------------------------------------------------------------------
  // Driver, checker, counters: one clocked process, inputs change by NBA
  // ---------------------------------------------------------------------------
  int unsigned issue_idx;     // next record to drive
  int unsigned check_idx;     // next response to check
  int unsigned n_ok, n_err, first_bad;
  longint unsigned cycle, first_accept, last_resp, last_progress;
  longint unsigned lmma_ok, lmma_planes, n_lutgen, n_other;
  bit running, done, started;
  int unsigned rep, n_rep;    // repetition of the stream (+repeat=<n>), from reset each time
  logic [1:0] restart;        // reset/restart sequence between repetitions
  logic [127:0] exp_rec;

  task automatic drive(int unsigned i);
    logic [127:0] r;
    r = vec_mem[i];
    in_instr <= rec_instr(r);
    in_a     <= a_pool[rec_a(r)];
    in_w     <= w_pool[rec_w(r)];
    in_c     <= c_pool[rec_c(r)];
  endtask

  task automatic report_mismatch(int unsigned idx, logic [127:0] r);
    logic [CW-1:0] exp_d;
    int unsigned lanes_bad, first_lane;
    exp_d = d_pool[rec_d(r)];
    lanes_bad = 0;
    first_lane = 0;
    for (int l = 0; l < M * N; l++) begin
      if (out_d[l*AccW +: AccW] !== exp_d[l*AccW +: AccW]) begin
        if (lanes_bad == 0) first_lane = l;
        lanes_bad++;
      end
    end
    $display("REPLAY_MISMATCH index=%0d rep=%0d instr=%08h tag=%0d/%0d status=%0d/%0d d_lanes_bad=%0d cycle=%0d",
             idx, rep, rec_instr(r), out_tag, rec_tag(r), out_status, rec_status(r), lanes_bad,
             cycle);
    if (lanes_bad != 0) begin
      $display("REPLAY_MISMATCH_D index=%0d lane=%0d m=%0d n=%0d got=%08h expected=%08h",
               idx, first_lane, first_lane / N, first_lane % N,
               out_d[first_lane*AccW +: AccW], exp_d[first_lane*AccW +: AccW]);
    end
    $fflush();
  endtask

  task automatic finish_run;
    $display("REPLAY_STATS vectors=%0d repeat=%0d checked=%0d ok=%0d errors=%0d cycles=%0d first_accept=%0d last_resp=%0d lmma_ok=%0d lmma_planes=%0d lutgen=%0d other=%0d",
             n_vec, rep + 1, check_idx, n_ok, n_err, cycle, first_accept, last_resp, lmma_ok,
             lmma_planes, n_lutgen, n_other);
    if (n_err == 0 && check_idx == n_vec && rep + 1 == n_rep) begin
      $display("REPLAY_RESULT PASS");
      $fflush();
      $finish;
    end else begin
      $display("REPLAY_RESULT FAIL first_mismatch=%0d rep=%0d", first_bad, rep);
      $fflush();
      $fatal(1, "replay: %0d mismatch(es), first at index %0d", n_err, first_bad);
    end
  endtask

  always @(posedge clk) begin
    if (running && !done) begin
      cycle <= cycle + 1;
      if (restart != 0) begin
        // --- between repetitions: reset pulse, then the first record again -----
        last_progress = cycle;
        if (restart == 3) begin
          rst_n <= 1'b1;  // released on a clock edge by NBA: no race with the DUT
        end else if (restart == 1) begin
          drive(0);
          in_valid <= 1'b1;
        end
        restart = restart - 1;
      end else begin
        // --- protocol: a stalled response must stay valid and unchanged -------
        if (hold_err) begin
          $display("REPLAY_MISMATCH index=%0d rep=%0d protocol: response changed or dropped while out_ready_i was low cycle=%0d",
                   check_idx, rep, cycle);
          if (n_err == 0) first_bad = check_idx;
          n_err++;
        end
        // --- response side (rsp_ready_i is 1: every valid response is taken) ---
        if (out_valid) begin
          last_resp     = cycle;
          last_progress = cycle;
          if (check_idx >= n_vec) begin
            $display("REPLAY_MISMATCH index=%0d rep=%0d unexpected response: only %0d instructions were issued",
                     check_idx, rep, n_vec);
            if (n_err == 0) first_bad = check_idx;
            n_err++;
          end else begin
            exp_rec = vec_mem[check_idx];
            if (out_tag === rec_tag(exp_rec) && out_status === rec_status(exp_rec)
                && out_d === d_pool[rec_d(exp_rec)]) begin
              n_ok++;
            end else begin
              if (n_err == 0) first_bad = check_idx;
              n_err++;
              report_mismatch(check_idx, exp_rec);
            end
          end
          check_idx++;
          if (!quiet && n_ok % 100000 == 0) begin
            $display("REPLAY_PROGRESS ok=%0d cycle=%0d", n_ok, cycle);
            $fflush();
          end
          if (check_idx == n_vec && n_err == 0 && rep + 1 < n_rep) begin
            // Next repetition of the same stream, from reset.
            rep++;
            issue_idx = 0;
            check_idx = 0;
            rst_n    <= 1'b0;
            in_valid <= 1'b0;
            restart = 3;
          end else if (check_idx == n_vec) begin
            done = 1'b1;
          end
        end
        if (n_err >= max_errors) done = 1'b1;
        if (cycle - last_progress > 64'(timeout)) begin
          $display("REPLAY_MISMATCH index=%0d rep=%0d timeout: no response for %0d cycles (issued %0d)",
                   check_idx, rep, timeout, issue_idx);
          if (n_err == 0) first_bad = check_idx;
          n_err++;
          done = 1'b1;
        end
        // --- request side -----------------------------------------------------
        if (in_valid && in_ready) begin
          logic [127:0] r;
          logic [31:0]  w;
          if (!started) begin
            first_accept = cycle;
            started      = 1'b1;
          end
          r = vec_mem[issue_idx];
          w = rec_instr(r);
          if (rec_status(r) == StOk && w[OpcodeLsb +: OpcodeW] == OpLmma) begin
            lmma_ok++;
            lmma_planes += 64'(w[WbitsLsb +: WbitsW]);
          end else if (rec_status(r) == StOk) begin
            n_lutgen++;
          end else begin
            n_other++;
          end
          issue_idx++;
          if (issue_idx >= n_vec) begin
            in_valid <= 1'b0;
          end else begin
            drive(issue_idx);  // idle gaps: the pacer
          end
        end
      end
      if (done) finish_run();
    end
  end

  initial begin
    int unsigned bp_arg, gap_arg, seed_arg;
    in_valid  = 1'b0;
    in_instr  = '0;
    in_a      = '0;
    in_w      = '0;
    in_c      = '0;
    issue_idx = 0;
    check_idx = 0;
    n_ok = 0;
    n_err = 0;
    first_bad = 0;
    cycle = 0;
    first_accept = 0;
    last_resp = 0;
    last_progress = 0;
    lmma_ok = 0;
    lmma_planes = 0;
    n_lutgen = 0;
    n_other = 0;
    running = 1'b0;
    done = 1'b0;
    started = 1'b0;
    rep = 0;
    restart = 0;
    if (!$value$plusargs("bp=%d", bp_arg)) bp_arg = 0;
    if (!$value$plusargs("gap=%d", gap_arg)) gap_arg = 0;
    if (!$value$plusargs("max_errors=%d", max_errors)) max_errors = 1;
    if (!$value$plusargs("timeout=%d", timeout)) timeout = 10000;
    if (!$value$plusargs("repeat=%d", n_rep)) n_rep = 1;
    if (!$value$plusargs("seed=%d", seed_arg)) seed_arg = 1;
    quiet = $test$plusargs("quiet");
    if (max_errors == 0) max_errors = 1;
    if (n_rep == 0) n_rep = 1;
    if (bp_arg > 100 || gap_arg > 100) begin
      $display("REPLAY_ERROR +bp=%0d +gap=%0d: percentages must be in [0, 100]", bp_arg,
               gap_arg);
      $fatal(1, "replay: bad plusargs");
    end
    bp_pct  = 7'(bp_arg);
    gap_pct = 7'(gap_arg);
    seed    = seed_arg;
    load_vectors();
    $display("REPLAY_LOADED n_vec=%0d n_a=%0d n_w=%0d n_c=%0d n_d=%0d bp=%0d gap=%0d repeat=%0d",
             n_vec, n_a, n_w, n_c, n_d, bp_pct, gap_pct, n_rep);
    $fflush();
    // Reset: asserted from time 0, released away from the rising edge.
    repeat (3) @(posedge clk);
    @(negedge clk);
    rst_n = 1'b1;
    @(posedge clk);
    // First record on the bus; from here on the clocked process drives.
    drive(0);
    in_valid <= 1'b1;
    running  <= 1'b1;
  end

endmodule : lut_tc_replay_tb
/* verilator lint_on SYNCASYNCNET */
/* verilator lint_on UNUSEDSIGNAL */
/* verilator lint_on INITIALDLY */
/* verilator lint_on BLKSEQ */
