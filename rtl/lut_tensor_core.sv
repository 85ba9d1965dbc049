// SPDX-License-Identifier: Apache-2.0
// LUT Tensor Core (Mo et al., arXiv 2408.06003): top level.
//
// Contract: docs/architecture.md (math, bus layouts, ports, ISA, status).
//
// Core (lut_tc_pkg::Core*, section 11) chooses the datapath behind the same
// ports, instructions, decoder, execute stage and output register:
//   CoreLutTc    the LUT Tensor Core, described below
//   CoreLutConv  the conventional LUT baseline: LUTGEN latches the
//                activations; every unit builds its own 16-entry table when
//                an LMMA is accepted (lut_conv_unit), then b cycles as here
//   CoreMac      the MAC baseline: LUTGEN latches the activations; an LMMA
//                dequantizes the weights and multiply-accumulates in one
//                execute cycle whatever b is (lut_array); FP formats with
//                their own order of roundings (section 11)
// The conventional core builds the integer formats only. All three give the
// same integer D.
//
// Micro-architecture: one execute stage and one output register.
//
//   accept --> execute stage --> output register --> out_*
//     |          (1 cycle for LUTGEN and errors, b cycles for LMMA b)
//     +- decode: status from the instruction + table-register state
//     +- LUTGEN OK: the table generator writes table register `treg`
//     +- LMMA OK:   C is loaded into the unit accumulators, the weight
//                   codes into a shift register (plane 0 at the bottom)
//
// Execute, plane i of an LMMA: the array looks up every unit's code of
// plane i in table register `treg`, shifts by i and accumulates. The last
// plane does not write the accumulators: its sum (acc + term) goes straight
// into the output register, so an LMMA answers b cycles after its accept and
// back-to-back LMMAs issue one per b cycles with no bubble.
//
//   in_ready_o = !ex_valid_q || ex_done
//   ex_done    = execute stage on its last cycle and the output register
//                empty or being read this cycle
//
// Ordering falls out of the single sequential execute stage: a LUTGEN is
// accepted at the earliest in the last cycle of the instruction before it,
// so the table write lands after that instruction's last lookup, and an
// LMMA accepted after a LUTGEN decodes against the updated register state.
// An error response goes through the execute stage like any instruction
// (1 cycle) and changes no state. D is zero for every response but an OK
// LMMA.
//
// Note: in_ready_o depends combinationally on out_ready_i (through ex_done).
//
// Reset (async, active low) empties both stages and invalidates all table
// registers. Table contents, weight codes and accumulators are datapath
// registers without reset: each is written before anything reads it.
//
// Floating point (docs/architecture.md section 10): the instance builds the
// activation formats its Formats mask names. With an FP format in it, the
// table generator converts and adds in binary32 and every LUT unit gains a
// binary32 scaler and adder on the same accumulator (ex_fp_q selects the
// path per LMMA), so an FP LMMA takes b cycles like an integer one. On the
// MAC core the array converts the latched lanes of an FP LMMA and
// multiplies and adds in binary32 in its one cycle (lut_array, section 11).
// A format that is not built answers UNSUPPORTED at decode. FpAcc 1 or 2
// (the LUT Tensor Core and the MAC core) makes that datapath binary16,
// flush-to-zero for 2: binary16 table entries (MAC: products) and
// accumulators in bits [15:0] of their lanes, and an FP LMMA needs accfmt
// FP16 (section 10, "FP16 accumulation"; section 11, "The binary16 MAC").
//
// Defines (all off by default):
//   LUT_TC_ASSERTIONS         compile the assertions (lut_tc_assert.svh)
//   FORMAL                    SymbiYosys only: the assertions become formal
//                             asserts, and the formal checker is instantiated
//                             (formal/README.md)
//   LUT_TC_BUG_NO_NEGATE      injected bug: LUT units ignore the neg bit
//   LUT_TC_BUG_SWAP_ENTRIES   injected bug: table entries 1 and 2 swapped
//   LUT_TC_BUG_OVERWRITE_STALLED  injected bug: a new response overwrites one
//                             that waits for out_ready_i (valid/ready broken;
//                             build without LUT_TC_ASSERTIONS to let the
//                             testbench's protocol checks find it; with
//                             them, OutDataHeld fires)
//   LUT_TC_BUG_DROP_STALLED   injected bug: a response waiting for out_ready_i
//                             is withdrawn after one cycle (out_valid_o drops;
//                             the OutValidHeld assertion's negative test)
//   LUT_TC_BUG_FP_RTZ, LUT_TC_BUG_FP_FTZ, LUT_TC_BUG_FP_SUBNORMAL_IN,
//   LUT_TC_BUG_FP_POW2_FTZ, LUT_TC_BUG_FP_MUL_FTZ
//                             injected FP bugs, in the FP blocks (see each)
// The bugs exist for the negative tests only.
//
// Portability (Icarus 11 and Verilator 5 simulate, Yosys 0.23 synthesizes
// every file): port lists name package constants as lut_tc_pkg::X, module
// bodies include lut_tc_names.svh instead of importing the package (Yosys
// reads no import; one in a module header crashes Icarus 11's vvp), ports
// are plain logic vectors (enum-typed ports crash vvp too), arrays have one
// packed dimension (Yosys 0.23 reads no more), no operator is applied to a
// size cast (Yosys 0.23 drops the ~ of ~W'(x); the netlist tests catch it),
// and constant part-selects stay out of always_comb (Icarus 11 cannot take
// them there).
`ifndef LUT_TC_ASSERT_SVH
`include "lut_tc_assert.svh"
`endif

module lut_tensor_core #(
  parameter  int M        = 2,
  parameter  int N        = 64,
  parameter  int T        = 4,
  parameter  int WBitsMax = 4,
  parameter  int Formats  = lut_tc_pkg::FormatsInt,  // bit k: afmt k is built (section 10)
  parameter  int Core     = lut_tc_pkg::CoreLutTc,   // which datapath (section 11)
  parameter  int FpAcc    = 0,  // FP datapath (section 10): 0 binary32, 1 binary16, 2 FTZ
  // Derived, do not override.
  localparam int AW       = M * lut_tc_pkg::K * lut_tc_pkg::ActLaneW,  // in_a_i
  localparam int WW       = WBitsMax * N * lut_tc_pkg::CodeW,          // in_w_i
  localparam int CW       = M * N * lut_tc_pkg::AccW                   // in_c_i, out_d_o
) (
  input  logic                              clk_i,
  input  logic                              rst_ni,

  input  logic                              in_valid_i,
  output logic                              in_ready_o,
  input  logic [lut_tc_pkg::InstrW-1:0]     in_instr_i,
  input  logic [AW-1:0]                     in_a_i,
  input  logic [WW-1:0]                     in_w_i,
  input  logic [CW-1:0]                     in_c_i,

  output logic                              out_valid_o,
  input  logic                              out_ready_i,
  output logic [lut_tc_pkg::TagW-1:0]       out_tag_o,
  output logic [lut_tc_pkg::StatusW-1:0]    out_status_o,
  output logic [CW-1:0]                     out_d_o
);
  `include "lut_tc_names.svh"

  localparam int PlaneW    = (WBitsMax > 1) ? $clog2(WBitsMax) : 1;
  localparam bit HasFp     = (Formats & (FormatsAll & ~FormatsInt)) != 0;
  localparam bit Int16     = ((Formats >> AFmtInt16) & 1) != 0;
  localparam int IntW      = Int16 ? TableW : TableW8;   // an integer table entry
  localparam int FpValW    = (FpAcc != 0) ? 16 : FpW;   // one FP value
  localparam int EntryW    = HasFp ? ((IntW > FpValW) ? IntW : FpValW) : IntW;  // one table entry
  localparam bit Wide      = Int16 || ((Formats >> AFmtFp16) & 1) != 0
                          || ((Formats >> AFmtBf16) & 1) != 0;
  localparam int ActW      = Wide ? ActLaneW : 8;        // a baseline's stored activation
  localparam int TableBits = M * TableEntries * EntryW;  // one table register
  localparam int PlaneBits = N * CodeW;                  // codes of one plane
  localparam bit IsLutTc   = (Core == CoreLutTc);
  // Codes the array reads: the current plane, or every plane (MAC core).
  localparam int ArrCodeBits = (Core == CoreMac) ? WW : PlaneBits;
  // What a table register holds: the tables, or a baseline's activations.
  localparam int RegBits   = IsLutTc ? TableBits : M * K * ActW;

  // ---------------------------------------------------------------------------
  // Accept and decode
  // ---------------------------------------------------------------------------
  logic               in_fire;
  logic [T-1:0]       tvalid_q;
  logic [T*AfmtW-1:0] tfmt_q;

  logic [StatusW-1:0] dec_status;
  logic               dec_ok, dec_is_lutgen, dec_is_lmma, dec_fp;
  logic [T-1:0]       dec_treg_oh;
  logic [AfmtW-1:0]   dec_afmt;
  logic [WbitsW-1:0]  dec_wbits;
  logic [TagW-1:0]    dec_tag;

  lut_tc_decode #(
    .T        (T),
    .WBitsMax (WBitsMax),
    .Formats  (Formats),
    .FpAcc    (FpAcc)
  ) u_decode (
    .instr_i     (in_instr_i),
    .tvalid_i    (tvalid_q),
    .tfmt_i      (tfmt_q),
    .status_o    (dec_status),
    .ok_o        (dec_ok),
    .is_lutgen_o (dec_is_lutgen),
    .is_lmma_o   (dec_is_lmma),
    .treg_oh_o   (dec_treg_oh),
    .afmt_o      (dec_afmt),
    .fp_o        (dec_fp),
    .wbits_o     (dec_wbits),
    .tag_o       (dec_tag)
  );

  assign in_fire = in_valid_i && in_ready_o;

  logic lutgen_fire, lmma_fire;
  assign lutgen_fire = in_fire && dec_ok && dec_is_lutgen;
  assign lmma_fire   = in_fire && dec_ok && dec_is_lmma;

  // ---------------------------------------------------------------------------
  // Table generator (or activation latch) and T table registers
  // ---------------------------------------------------------------------------
  logic [RegBits-1:0] gen_tables;

  if (IsLutTc) begin : gen_tables_lut_tc
    lut_table_gen #(
      .M       (M),
      .Formats (Formats),
      .FpAcc   (FpAcc)
    ) u_table_gen (
      .a_i      (in_a_i),
      .afmt_i   (dec_afmt),
      .gen_i    (in_valid_i && dec_is_lutgen),
      .tables_o (gen_tables)
    );
  end else begin : gen_tables_act
    lut_act_ext #(
      .M       (M),
      .Formats (Formats)
    ) u_act_ext (
      .a_i    (in_a_i),
      .afmt_i (dec_afmt),
      .acts_o (gen_tables)
    );
  end

  logic [T-1:0]         tbl_we;
  logic [T-1:0]         tvalid_d;
  logic [T*AfmtW-1:0]   tfmt_d;
  logic [RegBits-1:0]   table_q [T];

  assign tbl_we = lutgen_fire ? dec_treg_oh : '0;

  // Loop indices are declared here, not in the loops: a loop that declares its
  // own gives Icarus a `$ivl_for_loop` scope in the waveform's signal tree.
  int tv, tw, ts;

  always_comb begin
    tvalid_d = tvalid_q;
    tfmt_d   = tfmt_q;
    for (tv = 0; tv < T; tv++) begin
      if (tbl_we[tv]) begin
        tvalid_d[tv]               = 1'b1;
        tfmt_d[tv*AfmtW +: AfmtW]  = dec_afmt;
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      tvalid_q <= '0;
      tfmt_q   <= '0;
    end else begin
      tvalid_q <= tvalid_d;
      tfmt_q   <= tfmt_d;
    end
  end

  always_ff @(posedge clk_i) begin
    for (tw = 0; tw < T; tw++) begin
      if (tbl_we[tw]) begin
        table_q[tw] <= gen_tables;
      end
    end
  end

  // ---------------------------------------------------------------------------
  // Execute stage
  // ---------------------------------------------------------------------------
  logic                 ex_valid_q, ex_valid_d;
  logic                 ex_lmma_q, ex_lmma_d;      // an OK LMMA (uses the array)
  logic                 ex_fp_q, ex_fp_d;          // ... of an FP format (binary32)
  logic [TagW-1:0]      ex_tag_q, ex_tag_d;
  logic [StatusW-1:0]   ex_status_q, ex_status_d;
  logic [T-1:0]         ex_treg_oh_q, ex_treg_oh_d;
  logic [PlaneW-1:0]    ex_last_q, ex_last_d;      // b - 1
  logic [PlaneW-1:0]    plane_q, plane_d;
  logic [WW-1:0]        codes_q, codes_d;
  logic                 codes_we;

  logic ex_last, ex_done, ex_step, out_free;

  assign ex_last    = !ex_lmma_q || (plane_q == ex_last_q);
  assign ex_done    = ex_valid_q && ex_last && out_free;
  assign ex_step    = ex_valid_q && !ex_last;  // only an LMMA has more planes
  assign in_ready_o = !ex_valid_q || ex_done;

  always_comb begin
    ex_valid_d   = ex_valid_q;
    ex_lmma_d    = ex_lmma_q;
    ex_fp_d      = ex_fp_q;
    ex_tag_d     = ex_tag_q;
    ex_status_d  = ex_status_q;
    ex_treg_oh_d = ex_treg_oh_q;
    ex_last_d    = ex_last_q;
    plane_d      = plane_q;
    if (in_fire) begin
      ex_valid_d   = 1'b1;
      ex_lmma_d    = dec_ok && dec_is_lmma;
      ex_tag_d     = dec_tag;
      ex_status_d  = dec_status;
      // Only an OK LMMA reads a table: holding the select otherwise keeps the
      // M x N lookup muxes quiet (Icarus re-evaluates them all on a change).
      if (lmma_fire) begin
        ex_treg_oh_d = dec_treg_oh;
        ex_fp_d      = dec_fp;
      end
      // Only meaningful for an OK LMMA, where 1 <= b <= WBitsMax. The MAC
      // core takes every plane at once: one cycle.
      ex_last_d    = (Core == CoreMac) ? '0 : PlaneW'(dec_wbits - WbitsW'(1));
      plane_d      = '0;
    end else if (ex_done) begin
      ex_valid_d   = 1'b0;
    end else if (ex_step) begin
      plane_d      = plane_q + PlaneW'(1);
    end
  end

  // Weight codes: loaded at accept, shifted down one plane per step so the
  // current plane is always at the bottom.
  assign codes_we = lmma_fire || ex_step;
  assign codes_d  = lmma_fire ? in_w_i : (codes_q >> PlaneBits);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ex_valid_q   <= 1'b0;
      ex_lmma_q    <= 1'b0;
      ex_fp_q      <= 1'b0;
      ex_tag_q     <= '0;
      ex_status_q  <= '0;
      ex_treg_oh_q <= '0;
      ex_last_q    <= '0;
      plane_q      <= '0;
    end else begin
      ex_valid_q   <= ex_valid_d;
      ex_lmma_q    <= ex_lmma_d;
      ex_fp_q      <= ex_fp_d;
      ex_tag_q     <= ex_tag_d;
      ex_status_q  <= ex_status_d;
      ex_treg_oh_q <= ex_treg_oh_d;
      ex_last_q    <= ex_last_d;
      plane_q      <= plane_d;
    end
  end

  always_ff @(posedge clk_i) begin
    if (codes_we) begin
      codes_q <= codes_d;
    end
  end

  // Table register of the executing instruction (one-hot AND-OR mux). The
  // conventional core reads it in the accept cycle, to build its units'
  // tables, so it selects by the decoder's treg.
  logic [T-1:0]       tbl_sel;
  logic [RegBits-1:0] ex_tables;
  assign tbl_sel = (Core == CoreLutConv) ? dec_treg_oh : ex_treg_oh_q;
  always_comb begin
    ex_tables = '0;
    for (ts = 0; ts < T; ts++) begin
      ex_tables = ex_tables | (table_q[ts] & {RegBits{tbl_sel[ts]}});
    end
  end

  // ---------------------------------------------------------------------------
  // Array: LUT units, conventional LUT units or MAC units
  // ---------------------------------------------------------------------------
  logic [CW-1:0] sum;

  // The MAC core's b and format of the executing LMMA, for its dequantizers
  // and FP converters (the bit-serial cores count planes instead).
  logic [WbitsW-1:0] ex_wbits_q;
  logic [AfmtW-1:0]  ex_afmt_q;
  if (Core == CoreMac) begin : gen_mac_wbits
    always_ff @(posedge clk_i) begin
      if (lmma_fire) begin
        ex_wbits_q <= dec_wbits;
      end
    end
  end else begin : gen_no_mac_wbits
    assign ex_wbits_q = '0;
  end
  if (Core == CoreMac && HasFp) begin : gen_mac_afmt
    always_ff @(posedge clk_i) begin
      if (lmma_fire) begin
        ex_afmt_q <= dec_afmt;
      end
    end
  end else begin : gen_no_mac_afmt  // the array converts nothing
    assign ex_afmt_q = '0;
  end

  lut_array #(
    .M        (M),
    .N        (N),
    .WBitsMax (WBitsMax),
    .Formats  (Formats),
    .Core     (Core),
    .FpAcc    (FpAcc)
  ) u_array (
    .clk_i    (clk_i),
    .tables_i (ex_tables),
    .codes_i  (codes_q[ArrCodeBits-1:0]),
    .plane_i  (plane_q),
    .wbits_i  (ex_wbits_q),
    .fp_i     (HasFp && ex_fp_q),
    .afmt_i   (ex_afmt_q),
    .load_i   (lmma_fire),
    .c_i      (in_c_i),
    .acc_en_i (ex_step),
    .sum_o    (sum)
  );

  // ---------------------------------------------------------------------------
  // Output register
  // ---------------------------------------------------------------------------
  logic               out_valid_q, out_valid_d;
  logic [TagW-1:0]    out_tag_q;
  logic [StatusW-1:0] out_status_q;
  logic [CW-1:0]      out_d_q, out_d_d;

`ifdef LUT_TC_BUG_OVERWRITE_STALLED
  assign out_free    = 1'b1;
`else
  assign out_free    = !out_valid_q || out_ready_i;
`endif
`ifdef LUT_TC_BUG_DROP_STALLED
  assign out_valid_d = ex_done;
`else
  assign out_valid_d = ex_done || (out_valid_q && !out_ready_i);
`endif
  assign out_d_d     = ex_lmma_q ? sum : '0;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      out_valid_q <= 1'b0;
    end else begin
      out_valid_q <= out_valid_d;
    end
  end

  // Loaded once per response; reset so that no output is ever unknown.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      out_tag_q    <= '0;
      out_status_q <= '0;
      out_d_q      <= '0;
    end else if (ex_done) begin
      out_tag_q    <= ex_tag_q;
      out_status_q <= ex_status_q;
      out_d_q      <= out_d_d;
    end
  end

  assign out_valid_o  = out_valid_q;
  assign out_tag_o    = out_tag_q;
  assign out_status_o = out_status_q;
  assign out_d_o      = out_d_q;

  // ---------------------------------------------------------------------------
  // Assertions (compiled only with LUT_TC_ASSERTIONS, see lut_tc_assert.svh)
  // ---------------------------------------------------------------------------
  `LUT_TC_ASSERT_INIT(ParamM, M >= 1 && M <= 64, "M must be in [1, 64]")
  `LUT_TC_ASSERT_INIT(ParamN, N >= 1 && N <= 1024, "N must be in [1, 1024]")
  `LUT_TC_ASSERT_INIT(ParamT, T >= 1 && T <= (1 << TregW),
                      "T must be in [1, 2^TregW]: treg is a TregW-bit field")
  `LUT_TC_ASSERT_INIT(ParamFormats, Formats >= 1 && (Formats & ~FormatsAll) == 0,
                      "Formats must be a non-empty mask over the afmt codes 0..5")
  `LUT_TC_ASSERT_INIT(ParamCore, Core == CoreLutTc || Core == CoreLutConv || Core == CoreMac,
                      "Core must be one of the lut_tc_pkg::Core* kinds")
  `LUT_TC_ASSERT_INIT(ParamCoreFormats, Core != CoreLutConv || (Formats & ~FormatsInt) == 0,
                      "the lut_conv core builds the integer formats only")
  `LUT_TC_ASSERT_INIT(ParamFpAcc, FpAcc >= 0 && FpAcc <= 2 && (FpAcc == 0 || (Core != CoreLutConv
                      && HasFp && ((Formats >> AFmtBf16) & 1) == 0)),
                      "FpAcc must be 0, or 1/2 on an FP core with an FP format and no BF16")
  `LUT_TC_ASSERT_INIT(ParamWBitsMax, WBitsMax >= 1 && WBitsMax <= 8,
                      "WBitsMax must be in [1, 8]: shifted entries must fit AccW")

  `LUT_TC_ASSERT_KNOWN(InReadyKnown, in_ready_o, "in_ready_o is X/Z after reset")
  `LUT_TC_ASSERT_KNOWN(OutValidKnown, out_valid_o, "out_valid_o is X/Z after reset")
  `LUT_TC_ASSERT_KNOWN(OutTagKnown, out_tag_o, "out_tag_o is X/Z after reset")
  `LUT_TC_ASSERT_KNOWN(OutStatusKnown, out_status_o, "out_status_o is X/Z after reset")
  `LUT_TC_ASSERT_KNOWN(OutDKnown, out_d_o, "out_d_o is X/Z after reset")

  `LUT_TC_ASSERT(PlaneInRange, !ex_lmma_q || plane_q <= ex_last_q,
                 "bit-plane counter ran past the last plane")
  `LUT_TC_ASSERT(LmmaTableValid, !(ex_valid_q && ex_lmma_q) || (ex_treg_oh_q & tvalid_q) != '0,
                 "an executing LMMA reads an invalid table register")
  `LUT_TC_ASSERT(OutDZeroUnlessOk, !out_valid_o || out_status_o == StOk || out_d_o == '0,
                 "an error response carries a non-zero D")

`ifdef LUT_TC_ASSERTIONS
  // Valid/ready: a response, once valid, stays valid and unchanged until it is
  // taken; likewise the sender must hold an instruction until it is accepted.
  logic                          out_stall_q, in_stall_q;
  logic [TagW+StatusW+CW-1:0]    out_hold_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      out_stall_q <= 1'b0;
      in_stall_q  <= 1'b0;
    end else begin
      out_stall_q <= out_valid_o && !out_ready_i;
      in_stall_q  <= in_valid_i && !in_ready_o;
    end
  end

  always_ff @(posedge clk_i) begin
    out_hold_q <= {out_tag_o, out_status_o, out_d_o};
  end

  `LUT_TC_ASSERT(OutValidHeld, !out_stall_q || out_valid_o,
                 "out_valid_o dropped before out_ready_i took the response")
  `LUT_TC_ASSERT(OutDataHeld, !out_stall_q || out_hold_q == {out_tag_o, out_status_o, out_d_o},
                 "response changed while out_valid_o was high and out_ready_i low")
  `LUT_TC_ASSERT(InValidHeld, !in_stall_q || in_valid_i,
                 "sender dropped in_valid_i before in_ready_o accepted it")
`endif

`ifdef FORMAL
  // The formal checker (formal/lut_tc_props.sv): Yosys has no bind and no
  // hierarchical references, so the core hands it the state its lemmas and
  // state properties compare with the specification model.
  logic [T*RegBits-1:0] fv_tables;
  for (genvar fv = 0; fv < T; fv++) begin : gen_fv_tables
    assign fv_tables[fv*RegBits +: RegBits] = table_q[fv];
  end

  lut_tc_props #(
    .T        (T),
    .WBitsMax (WBitsMax),
    .Formats  (Formats),
    .Core     (Core),
    .CW       (CW),
    .RegBits  (RegBits),
    .PlaneW   (PlaneW)
  ) u_props (
    .clk_i        (clk_i),
    .rst_ni       (rst_ni),
    .in_valid_i   (in_valid_i),
    .in_ready_o   (in_ready_o),
    .in_instr_i   (in_instr_i),
    .out_valid_o  (out_valid_o),
    .out_ready_i  (out_ready_i),
    .out_tag_o    (out_tag_o),
    .out_status_o (out_status_o),
    .out_d_o      (out_d_o),
    .ex_valid_q   (ex_valid_q),
    .ex_lmma_q    (ex_lmma_q),
    .ex_tag_q     (ex_tag_q),
    .ex_status_q  (ex_status_q),
    .ex_last_q    (ex_last_q),
    .plane_q      (plane_q),
    .tvalid_q     (tvalid_q),
    .tfmt_q       (tfmt_q),
    .tables_q     (fv_tables)
  );
`endif

endmodule : lut_tensor_core
