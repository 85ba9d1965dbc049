// SPDX-License-Identifier: Apache-2.0
// One LUT unit: lookup, conditional negation, shift, INT32 accumulate.
//
// Each cycle of an LMMA the unit turns the 4-bit weight code {neg, sel} of
// the current bit plane into
//
//   term = (neg ? -T[sel] : T[sel]) << plane_i          (AccW bits, signed)
//
// and offers `sum_o = acc_q + term` (mod 2^AccW) combinationally, so the last
// plane's result can be registered by the consumer without an extra cycle.
//
//   load_i    acc_q <= c_i          (an LMMA is accepted; wins over acc_en_i)
//   acc_en_i  acc_q <= sum_o        (a plane other than the last one)
//
// The accumulator is a datapath register without reset: it is always loaded
// with C before an LMMA uses it, and its value is only consumed for an OK
// LMMA.
//
// Floating point (built when Formats has an FP format; docs/architecture.md
// section 10): with fp_i set, the entry is a binary32 value and
//
//   term  = (neg ? -T[sel] : T[sel]) * 2^plane_i        (lut_fp32_pow2)
//   sum_o = RNE(acc_q + term)                           (lut_fp32_add)
//
// on the same accumulator register, one plane per cycle like the integer
// path. The FP operands are held at zero while fp_i is low (operand
// isolation), so integer LMMAs do not toggle the FP datapath. An instance
// without an integer format has no integer datapath.
//
// FpAcc (models.config.FpAcc; section 10, "FP16 accumulation"): 0 the
// binary32 datapath above; 1 binary16 (the scaler and adder at ExpW = 5,
// FracW = 10), 2 the same with a flush-to-zero adder. The entry is then the
// binary16 pattern in bits [15:0] of the table entry, the accumulator reads
// bits [15:0] of its lane (C's upper half is ignored) and sum_o carries the
// binary16 sum in bits [15:0] with bits [31:16] zero.
//
// Bug injection for the testbench's negative tests (off by default):
//   `LUT_TC_BUG_NO_NEGATE`: the neg bit of the code is ignored.
module lut_unit #(
  parameter  int WBitsMax = 4,
  parameter  int Formats  = lut_tc_pkg::FormatsInt,  // bit k: afmt k is built
  parameter  int FpAcc    = 0,  // FP datapath: 0 binary32, 1 binary16, 2 binary16 FTZ
  // Derived, do not override: width of the bit-plane number; an FP format is
  // built; width of one FP value; width of one table entry.
  localparam int PlaneW   = (WBitsMax > 1) ? $clog2(WBitsMax) : 1,
  localparam bit HasFp    = (Formats & (lut_tc_pkg::FormatsAll & ~lut_tc_pkg::FormatsInt)) != 0,
  localparam bit HasInt   = (Formats & lut_tc_pkg::FormatsInt) != 0,
  localparam bit Int16    = ((Formats >> lut_tc_pkg::AFmtInt16) & 1) != 0,
  localparam int IntW     = Int16 ? lut_tc_pkg::TableW : lut_tc_pkg::TableW8,
  localparam int FpValW   = (FpAcc != 0) ? 16 : lut_tc_pkg::FpW,
  localparam int EntryW   = HasFp ? ((IntW > FpValW) ? IntW : FpValW) : IntW
) (
  input  logic                                                  clk_i,
  input  logic [lut_tc_pkg::TableEntries*EntryW-1:0]            table_i,
  input  logic [lut_tc_pkg::CodeW-1:0]                          code_i,
  input  logic [PlaneW-1:0]                                     plane_i,
  input  logic                                                  fp_i,     // FP LMMA
  input  logic                                                  load_i,
  input  logic [lut_tc_pkg::AccW-1:0]                           c_i,
  input  logic                                                  acc_en_i,
  output logic [lut_tc_pkg::AccW-1:0]                           sum_o
);
  `include "lut_tc_names.svh"

  localparam int SelW = CodeW - 1;

  logic            neg;
  logic [SelW-1:0] sel;
  assign sel = code_i[SelW-1:0];
`ifdef LUT_TC_BUG_NO_NEGATE
  // Injected bug: never negate. The neg bit is deliberately dropped; the
  // `unused_` prefix is Verilator's default -unused-regexp, so lint stays quiet.
  logic unused_neg;
  assign unused_neg = code_i[CodeW-1];
  assign neg = 1'b0;
`else
  assign neg = code_i[CodeW-1];
`endif

  // 8:1 mux, then (integer formats) negate with one guard bit (an entry is
  // at most 2^17 in magnitude, but the guard bit keeps the negation exact for
  // any input).
  logic [EntryW-1:0] entry_w;
  assign entry_w = table_i[sel*EntryW +: EntryW];

  logic [AccW-1:0] acc_d, acc_q;
  logic            acc_we;
  logic [AccW-1:0] sum_int;
  if (HasInt) begin : gen_int_path
    logic [IntW-1:0] entry;
    logic [IntW:0]   entry_x, val;
    logic [AccW-1:0] term;
    assign entry   = entry_w[IntW-1:0];
    assign entry_x = {entry[IntW-1], entry};
    assign val     = neg ? -entry_x : entry_x;
    // Sign-extend to AccW, then shift by the plane number. Sign extension
    // by cast, not replication: Icarus evaluates a replication bit by bit
    // on every change.
    assign term    = AccW'($signed(val)) << plane_i;
    assign sum_int = acc_q + term;
  end else begin : gen_no_int_path
    assign sum_int = '0;  // FP formats only: no integer datapath
  end

  if (HasFp) begin : gen_fp
    localparam int MaxShift = (WBitsMax > 2) ? WBitsMax - 1 : 1;
    localparam int ExpW     = (FpAcc != 0) ? 5 : 8;
    localparam int FracW    = (FpAcc != 0) ? 10 : 23;
    localparam bit Ftz      = (FpAcc == 2);
    logic [FpValW-1:0] fx, facc, fterm, fsum;
    assign fx   = fp_i ? entry_w[FpValW-1:0] : '0;
    assign facc = fp_i ? acc_q[FpValW-1:0] : '0;
    if (EntryW > FpValW) begin : gen_entry_hi
      logic unused_entry_hi;  // an integer entry is wider than a binary16 one
      assign unused_entry_hi = ^entry_w[EntryW-1:FpValW];
    end
    lut_fp32_pow2 #(
      .MaxShift (MaxShift),
      .ExpW     (ExpW),
      .FracW    (FracW)
    ) u_pow2 (
      .x_i     (fx),
      .neg_i   (neg),
      .shift_i (plane_i),
      .y_o     (fterm)
    );
    lut_fp32_add #(
      .ExpW  (ExpW),
      .FracW (FracW),
      .Ftz   (Ftz)
    ) u_add (
      .a_i   (facc),
      .b_i   (fterm),
      .sum_o (fsum)
    );
    logic [AccW-1:0] fsum_w;  // binary16: bits [31:16] zero
    assign fsum_w = AccW'(fsum);
    if (HasInt) begin : gen_sel
      assign sum_o = fp_i ? fsum_w : sum_int;
    end else begin : gen_fp_only
      logic unused_sum;  // the integer path is absent (constant zero)
      assign unused_sum = ^sum_int;
      assign sum_o      = fsum_w;
      if (FpValW < AccW) begin : gen_acc_hi
        logic unused_acc_hi;  // binary16: the accumulator's upper half is never read
        assign unused_acc_hi = ^acc_q[AccW-1:FpValW];
      end
    end
  end else begin : gen_int
    logic unused_fp;  // no FP datapath: the decoder never starts an FP LMMA
    assign unused_fp = fp_i;
    assign sum_o     = sum_int;
  end

  assign acc_we = load_i | acc_en_i;
  assign acc_d  = load_i ? c_i : sum_o;

  always_ff @(posedge clk_i) begin
    if (acc_we) begin
      acc_q <= acc_d;
    end
  end

endmodule : lut_unit
