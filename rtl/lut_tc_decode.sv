// SPDX-License-Identifier: Apache-2.0
// Instruction decoder (docs/architecture.md section 6), combinational.
//
// Splits the 32-bit instruction word into its fields and checks it against
// the table-register state. The status is the first rule that applies:
//
//   1 ILLEGAL_INSTR   opcode not LUTGEN/LMMA; rsvd != 0;
//                     LUTGEN with wbits != 0 or accfmt != 0
//   2 UNSUPPORTED     afmt reserved or not built (bit afmt of Formats
//                     clear); LMMA with wbits == 0, wbits > WBitsMax, or
//                     accfmt other than INT32 for an integer afmt and, for
//                     an FP afmt, FP32 (FpAcc 0) or FP16 (FpAcc 1, 2)
//   3 TREG_RANGE      treg >= T
//   4 TABLE_INVALID   LMMA on a register never written since reset, or
//                     written with another afmt
//   0 OK
//
// The table-register state comes in flattened: `tvalid_i[t]` and
// `tfmt_i[t*AfmtW +: AfmtW]` (the afmt of the last LUTGEN into register t).
module lut_tc_decode #(
  parameter int T        = 4,
  parameter int WBitsMax = 4,
  parameter int Formats  = lut_tc_pkg::FormatsInt,  // bit k: afmt k is built
  parameter int FpAcc    = 0  // FP datapath: 0 binary32, 1/2 binary16 (accfmt FP16)
) (
  input  logic [lut_tc_pkg::InstrW-1:0]   instr_i,
  input  logic [T-1:0]                    tvalid_i,
  input  logic [T*lut_tc_pkg::AfmtW-1:0]  tfmt_i,
  output logic [lut_tc_pkg::StatusW-1:0]  status_o,
  output logic                            ok_o,         // status_o == OK
  output logic                            is_lutgen_o,  // opcode is LUTGEN
  output logic                            is_lmma_o,    // opcode is LMMA
  output logic [T-1:0]                    treg_oh_o,    // one-hot treg, 0 if >= T
  output logic [lut_tc_pkg::AfmtW-1:0]    afmt_o,
  output logic                            fp_o,         // afmt is an FP format
  output logic [lut_tc_pkg::WbitsW-1:0]   wbits_o,
  output logic [lut_tc_pkg::TagW-1:0]     tag_o
);
  `include "lut_tc_names.svh"

  // WBitsMax as a field-wide constant (WBitsMax <= 8 < 2^WbitsW).
  localparam logic [WbitsW-1:0] WBitsMaxF = WbitsW'(WBitsMax);
  // Per afmt code (2^AfmtW of them): built by this instance; floating point.
  localparam int                  Codes     = 1 << AfmtW;
  localparam logic [Codes-1:0]    BuiltMask = Codes'(Formats) & Codes'(FormatsAll);
  localparam logic [Codes-1:0]    FpMask    = Codes'(FormatsAll & ~FormatsInt);

  // Fields. Constant part-selects stay in continuous assignments: Icarus 11
  // cannot take them inside always_comb.
  logic [OpcodeW-1:0] opcode;
  logic [TregW-1:0]   treg;
  logic [AfmtW-1:0]   afmt;
  logic [WbitsW-1:0]  wbits;
  logic [AccfmtW-1:0] accfmt;
  logic [RsvdW-1:0]   rsvd;
  assign opcode = instr_i[OpcodeLsb +: OpcodeW];
  assign treg   = instr_i[TregLsb +: TregW];
  assign afmt   = instr_i[AfmtLsb +: AfmtW];
  assign wbits  = instr_i[WbitsLsb +: WbitsW];
  assign accfmt = instr_i[AccfmtLsb +: AccfmtW];
  assign rsvd   = instr_i[RsvdLsb +: RsvdW];
  assign tag_o  = instr_i[TagLsb +: TagW];

  assign is_lutgen_o = (opcode == OpLutgen);
  assign is_lmma_o   = (opcode == OpLmma);
  assign afmt_o      = afmt;
  assign fp_o        = FpMask[afmt];
  assign wbits_o     = wbits;

  // Table register lookup: one-hot select (all zero when treg >= T), and
  // whether the selected register holds a table of format `afmt`.
  logic [T-1:0] table_match;
  for (genvar t = 0; t < T; t++) begin : gen_treg
    localparam logic [TregW-1:0] TIdx = TregW'(t);
    assign treg_oh_o[t]   = (treg == TIdx);
    assign table_match[t] = tvalid_i[t] && (tfmt_i[t*AfmtW +: AfmtW] == afmt);
  end

  logic illegal, unsupported, treg_range, table_invalid;
  assign illegal = !(is_lutgen_o || is_lmma_o)
                || (rsvd != '0)
                || (is_lutgen_o && ((wbits != '0) || (accfmt != '0)));
  logic [AccfmtW-1:0] accfmt_need;  // the accumulator format of afmt
  localparam logic [AccfmtW-1:0] AccFmtFp = (FpAcc != 0) ? AccFmtFp16 : AccFmtFp32;
  assign accfmt_need = fp_o ? AccFmtFp : AccFmtInt32;
  assign unsupported = !BuiltMask[afmt]
                    || (is_lmma_o && ((wbits == '0) || (wbits > WBitsMaxF)
                                      || (accfmt != accfmt_need)));
  assign treg_range    = (treg_oh_o == '0);
  assign table_invalid = is_lmma_o && ((treg_oh_o & table_match) == '0);

  logic [StatusW-1:0] status;
  always_comb begin
    if (illegal) begin
      status = StIllegalInstr;
    end else if (unsupported) begin
      status = StUnsupported;
    end else if (treg_range) begin
      status = StTregRange;
    end else if (table_invalid) begin
      status = StTableInvalid;
    end else begin
      status = StOk;
    end
  end

  assign status_o = status;
  assign ok_o     = (status == StOk);

endmodule : lut_tc_decode
