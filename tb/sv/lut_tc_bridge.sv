// SPDX-License-Identifier: Apache-2.0
//
// Stream bridge: the cocotb toplevel of the batch transport (tb/transports/batch.py,
// Python side tb/bridge.py).
//
// Python hands over whole batches of instructions and takes back whole
// segments of responses, so it wakes once per few hundred instructions
// instead of every clock. The bridge drives the core back to back (optional
// gaps and back-pressure from a seeded generator), records every response
// unaltered and checks the valid/ready rules; it compares nothing: the
// Python scoreboard compares every response bit-exactly with models/.
//
// Batch hand-off (Python -> bridge): Python writes `lut_tc_stream_in.bin`
// and raises batch_req_i by one. When the current batch is fully accepted by
// the core, the bridge reads the file, applies its payload-store writes and
// starts on its descriptors in the same cycle (no bubble), then raises
// batch_done_o. Python writes the next file only once batch_done_o ==
// batch_req_i, so it runs at most one batch ahead.
//
//   File: 32-bit words, most significant byte first ($fread order)
//     [0] magic 32'h4C545331 ("LTS1")   [1] n_pay   [2] n_desc
//     n_pay payload writes: {bus[31:30] (0 a, 1 w, 2 c), slot[29:0]},
//                           then the bus in 32-bit lanes, lane 0 = bits [31:0]
//     n_desc descriptors:   instruction word, a slot, w slot, c slot
//   A payload store slot is only rewritten between batches, after every
//   descriptor that named it was accepted, so Python may reuse any slot.
//
// Response segments (bridge -> Python): each response taken by the bridge is
// appended to `lut_tc_stream_out<s%2>.bin` for segment s as one %u record
// (32-bit words, least significant first, little-endian bytes):
//     word 0: [7:0] tag, [11:8] status, [15:12] 0, [31:16] 16'h5354 ("ST")
//     word 1: $time of the response handshake, ns: the rising clk_i edge at
//             which out_valid_o && out_ready_i
//     word 2: $time of the edge that accepted the instruction this response
//             answers, ns (in_valid_i && in_ready_o); 32'hFFFFFFFF when no
//             accept was waiting (a response with nothing in flight)
//     word 3: output stall: edges out_valid_o waited for out_ready_i
//     word 4: input stall of that instruction: edges in_valid_i waited for
//             in_ready_o (32'hFFFFFFFF with word 2)
//     words 5..: out_d_o, lane 0 first
// Times are the bridge's `$time` in its time unit, 1 ns (the builds pass
// timescale 1ns/1ps), cut to 32 bits: they are exact up to 2^32 ns = 4.29 s
// of simulated time, 429 million cycles at 10 ns (a 200,000-LMMA stream
// takes about a million); Python divides by the clock period for cycles.
// The core answers in order, so a FIFO of accept times pairs each response
// with its instruction (AccDepth entries: the core holds at most two). A
// core that loses a response shifts that pairing; losing one breaks the
// valid/ready rules, which proto_err_o counts.
//
// A segment closes after SegLen responses, or earlier when nothing is left in
// flight or no response came for FlushIdle cycles (a core that lost some);
// seg_done_o then counts it. Python reads it and raises seg_ack_i.
// Two files alternate; the bridge holds out_ready_i low rather than reopen a
// file Python has not acknowledged, so a slow reader never loses data.
//
// Malformed batch files count in load_err_o and change nothing; valid/ready
// violations of the core count in proto_err_o. Both are checked by Python.
// rst_ni resets the core and every count of the bridge (a new test).
// Only the ports are public to cocotb (Verilator metacomments; the build
// passes --no-public-flat-rw), so Verilator optimizes the core as in a
// plain C++ build: every signal public costs a factor of about 4.
//
// The core and its gap/back-pressure generator are `lut_tc_paced_core`
// (instance u_dut; the core is u_dut.u_core), declared with its nets by the
// macro of tb/sv/lut_tc_paced_dut.svh, shared with the replay harness.
`ifndef LUT_TC_PACED_DUT_SVH
`include "lut_tc_paced_dut.svh"
`endif

// A testbench, not RTL: blocking assignments in the clocked process are deliberate.
/* verilator lint_off BLKSEQ */
/* verilator lint_off UNUSEDSIGNAL */
/* verilator lint_off SYNCASYNCNET */
module lut_tc_bridge #(
  parameter int M        = 2,
  parameter int N        = 64,
  parameter int T        = 4,
  parameter int WBitsMax = 4,
  parameter int Formats  = lut_tc_pkg::FormatsInt,
  parameter int Core     = lut_tc_pkg::CoreLutTc,
  parameter int FpAcc    = 0,  // the core's FP datapath: 0 binary32, 1/2 binary16
  parameter int MaxBatch = 1024,  // descriptors per batch file
  parameter int Slots    = 1024,  // payload store entries per bus
  parameter int SegLen   = 1024   // responses per segment file
) (
  // Only the ports are visible to cocotb (see the header).
  input  logic        clk_i        /* verilator public_flat_rw */,
  input  logic        rst_ni       /* verilator public_flat_rw */,
  // Batch hand-off: files offered by Python / loaded by the bridge.
  input  logic [31:0] batch_req_i  /* verilator public_flat_rw */,
  output logic [31:0] batch_done_o /* verilator public_flat_rw */,
  // Response segments: closed by the bridge / read by Python.
  output logic [31:0] seg_done_o   /* verilator public_flat_rw */,
  input  logic [31:0] seg_ack_i    /* verilator public_flat_rw */,
  // Percent of cycles with out_ready_i low; percent of accepts followed by an
  // idle cycle; seed of their generators (xorshift32, in lut_tc_paced_core).
  input  logic [6:0]  bp_pct_i     /* verilator public_flat_rw */,
  input  logic [6:0]  gap_pct_i    /* verilator public_flat_rw */,
  input  logic [31:0] seed_i       /* verilator public_flat_rw */,
  // Instructions accepted and responses taken; valid/ready rule violations
  // of the core; malformed batch files.
  output logic [31:0] issued_o     /* verilator public_flat_rw */,
  output logic [31:0] retired_o    /* verilator public_flat_rw */,
  output logic [31:0] proto_err_o  /* verilator public_flat_rw */,
  output logic [31:0] load_err_o   /* verilator public_flat_rw */
);
  import lut_tc_pkg::*;

  // ---------------------------------------------------------------------------
  // The core behind the pacer (gaps, back-pressure, waits, hold check): the
  // payload widths AW/WW/CW and lanes AL/WL/CL, the nets in_* / out_* and
  // u_dut, as the replay harness has them (tb/sv/lut_tc_paced_dut.svh)
  // ---------------------------------------------------------------------------
  logic out_ready;  // the bridge takes a response (below)
  `LUT_TC_PACED_DUT(clk_i, rst_ni, gap_pct_i, bp_pct_i, seed_i, out_ready)

  localparam int XL = (AL > WL) ? ((AL > CL) ? AL : CL) : ((WL > CL) ? WL : CL);
  localparam int MaxWords = 3 + MaxBatch * (4 + 3 + AL + WL + CL);  // every payload new
  localparam logic [31:0] Magic = 32'h4C545331;
  localparam logic [15:0] RecMark = 16'h5354;
  localparam int FlushIdle = 64;  // cycles without a response that close a segment
  localparam int AccDepth = 4;    // accept-time FIFO: the core holds at most two
  localparam logic [31:0] NoTime = 32'hFFFF_FFFF;  // record word 2/4: no accept to pair

  // ---------------------------------------------------------------------------
  // Payload store, descriptors, file buffer
  // ---------------------------------------------------------------------------
  logic [AW-1:0] a_store [Slots];
  logic [WW-1:0] w_store [Slots];
  logic [CW-1:0] c_store [Slots];
  logic [31:0]   d_instr [MaxBatch];
  logic [31:0]   d_a     [MaxBatch];
  logic [31:0]   d_w     [MaxBatch];
  logic [31:0]   d_c     [MaxBatch];
  logic [31:0]   words   [MaxWords];

  int unsigned n_desc, issue_idx;
  int unsigned batch_done, seg_done, seg_n, quiet;
  int unsigned issued, retired, proto_err, load_err;
  int          fd_out;
  bit          seg_open;
  // Accept times and input stalls of the instructions in flight, oldest first.
  logic [31:0] acc_time [AccDepth];
  logic [31:0] acc_wait [AccDepth];
  int unsigned acc_rd, acc_n;

  assign batch_done_o = batch_done;
  assign seg_done_o   = seg_done;
  assign issued_o     = issued;
  assign retired_o    = retired;
  assign proto_err_o  = proto_err;
  assign load_err_o   = load_err;

  // One payload: `lanes` words from `pos`, lane 0 = bits [31:0].
  function automatic logic [XL*32-1:0] lanes_at(int unsigned pos, int unsigned lanes);
    logic [XL*32-1:0] v;
    v = '0;
    for (int unsigned l = 0; l < lanes; l++) v[l*32 +: 32] = words[pos + l];
    return v;
  endfunction

  // Read the pending batch file into the store and the descriptor list. The
  // whole file is checked before anything is applied: a malformed file counts
  // in load_err_o, changes nothing and leaves an empty batch.
  task automatic load_batch;
    int          fd, nbytes;
    int unsigned n_pay, n_new, pos, bus, slot, need;
    logic [XL*32-1:0] v;
    string       err;
    issue_idx = 0;
    n_desc    = 0;
    err       = "";
    nbytes    = 0;
    fd = $fopen("lut_tc_stream_in.bin", "rb");
    if (fd == 0) begin
      err = "cannot open lut_tc_stream_in.bin";
    end else begin
      nbytes = $fread(words, fd, 0, MaxWords);
      $fclose(fd);
    end
    if (err == "" && (nbytes < 12 || words[0] !== Magic)) begin
      err = $sformatf("no header (%0d bytes, magic %h)", nbytes, words[0]);
    end
    n_pay = words[1];
    n_new = words[2];
    if (err == "" && (n_new > MaxBatch || n_pay > 3 * MaxBatch)) begin
      err = $sformatf("n_desc=%0d n_pay=%0d over MaxBatch=%0d", n_new, n_pay, MaxBatch);
    end
    // Pass 1: check.
    pos = 3;
    for (int unsigned p = 0; err == "" && p < n_pay; p++) begin
      bus  = 32'(words[pos][31:30]);
      slot = 32'(words[pos][29:0]);
      need = (bus == 0) ? AL : (bus == 1) ? WL : CL;
      if (bus > 2 || slot >= Slots || 4 * (pos + 1 + need) > nbytes) begin
        err = $sformatf("payload write %0d: bus=%0d slot=%0d at word %0d", p, bus, slot, pos);
      end
      pos += 1 + need;
    end
    if (err == "" && 4 * (pos + 4 * n_new) != nbytes) begin
      err = $sformatf("%0d bytes, expected %0d", nbytes, 4 * (pos + 4 * n_new));
    end
    for (int unsigned i = 0; err == "" && i < n_new; i++) begin
      if (words[pos + 4*i + 1] >= Slots || words[pos + 4*i + 2] >= Slots
          || words[pos + 4*i + 3] >= Slots) begin
        err = $sformatf("descriptor %0d names a slot >= %0d", i, Slots);
      end
    end
    if (err != "") begin
      $display("STREAM_LOAD_ERROR batch=%0d %s", batch_done, err);
      load_err++;
    end else begin
      // Pass 2: apply.
      pos = 3;
      for (int unsigned p = 0; p < n_pay; p++) begin
        bus  = 32'(words[pos][31:30]);
        slot = 32'(words[pos][29:0]);
        need = (bus == 0) ? AL : (bus == 1) ? WL : CL;
        v = lanes_at(pos + 1, need);
        case (bus)
          0:       a_store[slot] = v[AW-1:0];
          1:       w_store[slot] = v[WW-1:0];
          default: c_store[slot] = v[CW-1:0];
        endcase
        pos += 1 + need;
      end
      for (int unsigned i = 0; i < n_new; i++) begin
        d_instr[i] = words[pos];
        d_a[i]     = words[pos + 1];
        d_w[i]     = words[pos + 2];
        d_c[i]     = words[pos + 3];
        pos += 4;
      end
      n_desc = n_new;
    end
  endtask

  task automatic drive(int unsigned i);
    in_instr <= d_instr[i];
    in_a     <= a_store[d_a[i]];
    in_w     <= w_store[d_w[i]];
    in_c     <= c_store[d_c[i]];
    in_valid <= 1'b1;
  endtask

  // The accept edge of an instruction: its time and input stall join the FIFO.
  // A full FIFO (only a core that loses responses fills it) drops the oldest.
  task automatic push_accept;
    if (acc_n == AccDepth) begin
      acc_rd = (acc_rd + 1) % AccDepth;
      acc_n--;
    end
    acc_time[(acc_rd + acc_n) % AccDepth] = 32'($time);
    acc_wait[(acc_rd + acc_n) % AccDepth] = in_wait;
    acc_n++;
  endtask

  // One response record (format in the header); pairs it with the oldest accept.
  task automatic record;
    logic [31:0] t_acc, w_acc;
    if (!seg_open) begin
      fd_out = $fopen($sformatf("lut_tc_stream_out%0d.bin", seg_done % 2), "wb");
      seg_open = 1'b1;
    end
    t_acc = NoTime;
    w_acc = NoTime;
    if (acc_n != 0) begin
      t_acc  = acc_time[acc_rd];
      w_acc  = acc_wait[acc_rd];
      acc_rd = (acc_rd + 1) % AccDepth;
      acc_n--;
    end
    $fwrite(fd_out, "%u", {out_d, w_acc, out_wait, t_acc, 32'($time), RecMark, 4'h0,
                           4'(out_status), 8'(out_tag)});
    seg_n++;
  endtask

  task automatic close_segment;
    $fclose(fd_out);
    seg_open = 1'b0;
    seg_n    = 0;
    seg_done++;
  endtask

  initial begin
    in_valid   = 1'b0;
    out_ready  = 1'b0;
    in_instr   = '0;
    in_a       = '0;
    in_w       = '0;
    in_c       = '0;
    n_desc     = 0;
    issue_idx  = 0;
    batch_done = 0;
    seg_done   = 0;
    seg_n      = 0;
    quiet      = 0;
    seg_open   = 1'b0;
    issued     = 0;
    retired    = 0;
    proto_err  = 0;
    load_err   = 0;
    acc_rd     = 0;
    acc_n      = 0;
  end

  // Declared here, not in the block below: a block's own variables make an
  // unnamed-block scope (`$unm_blk`) in Icarus waves.
  bit accepted, busy;

  always @(posedge clk_i) begin
    if (!rst_ni) begin
      // Every count restarts: one simulation runs several cocotb tests in turn.
      if (seg_open) $fclose(fd_out);
      seg_open   = 1'b0;
      seg_n      = 0;
      quiet      = 0;
      seg_done   = 0;
      batch_done = 0;
      n_desc     = 0;
      issue_idx  = 0;
      issued     = 0;
      retired    = 0;
      proto_err  = 0;
      load_err   = 0;
      acc_rd     = 0;
      acc_n      = 0;
      in_valid  <= 1'b0;
      out_ready <= 1'b0;
    end else begin
      // --- valid/ready rules of the core's response channel ---------------------
      if (hold_err) begin
        $display("STREAM_PROTOCOL_ERROR response %0d changed or dropped while stalled",
                 retired);
        proto_err++;
      end
      quiet = (out_valid && out_ready) ? 0 : quiet + 1;
      if (out_valid && out_ready) begin
        if (retired == issued) begin
          $display("STREAM_PROTOCOL_ERROR response with nothing in flight (tag %0d)", out_tag);
          proto_err++;
        end
        record();
        retired++;
      end
      // --- instructions (gaps: the pacer) ----------------------------------------
      accepted = in_valid && in_ready;
      if (accepted) begin
        push_accept();
        issued++;
        issue_idx++;
      end
      if (!in_valid || accepted) begin
        if (issue_idx >= n_desc && batch_req_i != batch_done) begin
          load_batch();
          batch_done++;
        end
        if (issue_idx >= n_desc) begin
          in_valid <= 1'b0;
        end else begin
          drive(issue_idx);
        end
      end
      // --- response segments (back-pressure: the pacer) --------------------------
      busy = issued != retired || issue_idx < n_desc || batch_req_i != batch_done;
      if (seg_n == SegLen || (seg_n != 0 && (!busy || quiet >= FlushIdle))) close_segment();
      out_ready <= seg_open || seg_done - seg_ack_i < 2;
    end
  end

  final begin
    if (seg_open) $fclose(fd_out);
  end

endmodule : lut_tc_bridge
/* verilator lint_on SYNCASYNCNET */
/* verilator lint_on UNUSEDSIGNAL */
/* verilator lint_on BLKSEQ */
