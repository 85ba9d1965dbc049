// SPDX-License-Identifier: Apache-2.0
// Symmetrized table generator (docs/architecture.md section 2).
//
// For every activation row m, the four lanes a0..a3 of `a_i` (lane m*K + k)
// become eight signed IntW-bit entries
//
//   T[m][j] = a3 + sum_{k=0..2} (2 j_k - 1) a_k,   j = 0..7
//
// on `tables_o`, entry j of row m at [(m*8 + j)*EntryW +: EntryW].
// INT8 lanes use bits [7:0] only (sign-extended from bit 7; bits [15:8] are
// ignored); every other integer code is read as INT16 (the decoder rejects
// the codes an instance does not build before a table is ever written). An
// instance without INT16 reads every lane as INT8 and keeps IntW = TableW8
// bits per integer entry instead of TableW.
//
// Shared partial sums: (a3 +- a2) and (a1 +- a0) are formed once per row, so
// a row costs 4 + 8 adders instead of 24.
//
// Floating point (built when Formats has an FP format; docs/architecture.md
// section 10): each lane is converted to binary32 exactly (lut_fp_to_f32),
// and the same pairing is done with binary32 RNE adders (lut_fp32_add; a
// subtraction adds the operand with its sign bit flipped, which IEEE
// defines as the same operation): 4 converters and 12 adders per row. The
// entries are EntryW = 32 bits wide then; an integer entry is sign-extended
// to that width. The FP lanes are held at zero while afmt_i is an integer
// format or no LUTGEN is offered (gen_i low: operand isolation), so the FP
// datapath does not toggle, and costs an event-driven simulator nothing, on
// integer traffic and on LMMAs.
//
// FpAcc (models.config.FpAcc; section 10, "FP16 accumulation") 1 or 2: the
// FP path is binary16. FP16 lanes are binary16 already and feed the adders
// directly; FP8 lanes (where built) embed in binary16 exactly through a few
// muxes (lut_fp_to_f16, no normalizing shifter); the 12 adders are binary16 RNE
// adders (lut_fp32_add at ExpW = 5, FracW = 10, flush-to-zero for FpAcc 2),
// and an FP entry is the binary16 pattern in bits [15:0] of an entry of
// EntryW = max(16, IntW) bits (the upper bits zero).
//
// Bug injection for the testbench's negative tests (off by default):
//   `LUT_TC_BUG_SWAP_ENTRIES`: entries 1 and 2 of every row are swapped.
module lut_table_gen #(
  parameter  int M       = 2,
  parameter  int Formats = lut_tc_pkg::FormatsInt,  // bit k: afmt k is built
  parameter  int FpAcc   = 0,  // FP datapath: 0 binary32, 1 binary16, 2 binary16 FTZ
  // Derived, do not override: an FP format is built; width of one FP value;
  // width of one entry.
  localparam bit HasFp   = (Formats & (lut_tc_pkg::FormatsAll & ~lut_tc_pkg::FormatsInt)) != 0,
  localparam bit HasInt  = (Formats & lut_tc_pkg::FormatsInt) != 0,
  localparam bit Int16   = ((Formats >> lut_tc_pkg::AFmtInt16) & 1) != 0,
  localparam int IntW    = Int16 ? lut_tc_pkg::TableW : lut_tc_pkg::TableW8,
  localparam int FpValW  = (FpAcc != 0) ? 16 : lut_tc_pkg::FpW,
  localparam int EntryW  = HasFp ? ((IntW > FpValW) ? IntW : FpValW) : IntW
) (
  input  logic [M*lut_tc_pkg::K*lut_tc_pkg::ActLaneW-1:0]      a_i,
  input  logic [lut_tc_pkg::AfmtW-1:0]                          afmt_i,
  input  logic                                                  gen_i,  // a LUTGEN is offered
  output logic [M*lut_tc_pkg::TableEntries*EntryW-1:0]          tables_o
);
  `include "lut_tc_names.svh"

  localparam int Entries = TableEntries;
  localparam int Codes  = 1 << AfmtW;
  localparam logic [Codes-1:0] FpMask = Codes'(FormatsAll & ~FormatsInt);

  logic is_int8, is_fp;
  assign is_int8 = !Int16 || (afmt_i == AFmtInt8);
  assign is_fp   = FpMask[afmt_i];

  for (genvar m = 0; m < M; m++) begin : gen_row
    // Activations of this row, sign-extended to IntW bits (an INT16 lane is
    // only read where IntW = TableW holds it).
    logic [IntW-1:0] act [K];
    for (genvar k = 0; k < K; k++) begin : gen_act
      logic signed [ActLaneW-1:0] lane;
      logic signed [7:0]          lane8;
      assign lane   = a_i[(m*K + k)*ActLaneW +: ActLaneW];
      assign lane8  = lane[7:0];
      assign act[k] = is_int8 ? IntW'(lane8) : IntW'(lane);
      if (!Int16) begin : gen_int8_only
        logic unused_hi;  // every lane is INT8: bits [15:8] are ignored
        assign unused_hi = ^lane[ActLaneW-1:8];
      end
    end

    // Pair sums: hi[s] = a3 + (2s-1) a2, lo[s] = a1 + (2s-1) a0 (mod 2^IntW;
    // the final entries are in range, see the width note in section 2).
    logic [IntW-1:0] hi [2];
    logic [IntW-1:0] lo [2];
    assign hi[0] = act[3] - act[2];
    assign hi[1] = act[3] + act[2];
    assign lo[0] = act[1] - act[0];
    assign lo[1] = act[1] + act[0];

    logic [IntW-1:0] entry [Entries];
    for (genvar j = 0; j < Entries; j++) begin : gen_entry
      // j = {j2, j1, j0}: +-a2 from j2, then +-a1 +-a0 from (j1, j0):
      //   (1,1): +lo[1]   (1,0): +lo[0]   (0,1): -lo[0]   (0,0): -lo[1]
      localparam bit J2 = ((j >> 2) & 1) == 1;
      localparam bit J1 = ((j >> 1) & 1) == 1;
      localparam bit J0 = (j & 1) == 1;
      if (J1) begin : gen_add
        assign entry[j] = hi[J2] + lo[J0];
      end else begin : gen_sub
        assign entry[j] = hi[J2] - lo[!J0];
      end
    end

    // The entries as stored: integer ones sign-extended to EntryW, or the
    // binary32 ones of the FP path.
    logic [EntryW-1:0] entry_w [Entries];
    if (HasFp) begin : gen_fp
      localparam int ExpW  = (FpAcc != 0) ? 5 : 8;
      localparam int FracW = (FpAcc != 0) ? 10 : 23;
      localparam bit Ftz   = (FpAcc == 2);
      localparam logic [FpValW-1:0] SignBit = {1'b1, {(FpValW-1){1'b0}}};
      logic [FpValW-1:0] f [K];
      for (genvar k = 0; k < K; k++) begin : gen_conv
        logic [ActLaneW-1:0] lane;
        assign lane = (is_fp && gen_i) ? a_i[(m*K + k)*ActLaneW +: ActLaneW] : '0;
        if (FpAcc != 0) begin : gen_f16  // binary16 exactly (FP8: a few muxes)
          lut_fp_to_f16 #(
            .Formats (Formats)
          ) u_conv (
            .lane_i (lane),
            .afmt_i (afmt_i),
            .f16_o  (f[k])
          );
        end else begin : gen_f32
          lut_fp_to_f32 u_conv (
            .lane_i (lane),
            .afmt_i (afmt_i),
            .f32_o  (f[k])
          );
        end
      end

      logic [FpValW-1:0] fhi [2];
      logic [FpValW-1:0] flo [2];
      lut_fp32_add #(.ExpW(ExpW), .FracW(FracW), .Ftz(Ftz))
        u_hi0 (.a_i(f[3]), .b_i(f[2] ^ SignBit), .sum_o(fhi[0]));
      lut_fp32_add #(.ExpW(ExpW), .FracW(FracW), .Ftz(Ftz))
        u_hi1 (.a_i(f[3]), .b_i(f[2]),           .sum_o(fhi[1]));
      lut_fp32_add #(.ExpW(ExpW), .FracW(FracW), .Ftz(Ftz))
        u_lo0 (.a_i(f[1]), .b_i(f[0] ^ SignBit), .sum_o(flo[0]));
      lut_fp32_add #(.ExpW(ExpW), .FracW(FracW), .Ftz(Ftz))
        u_lo1 (.a_i(f[1]), .b_i(f[0]),           .sum_o(flo[1]));

      for (genvar j = 0; j < Entries; j++) begin : gen_fentry
        localparam bit J2 = ((j >> 2) & 1) == 1;
        localparam bit J1 = ((j >> 1) & 1) == 1;
        localparam bit J0 = (j & 1) == 1;
        logic [FpValW-1:0] fe;
        if (J1) begin : gen_add
          lut_fp32_add #(.ExpW(ExpW), .FracW(FracW), .Ftz(Ftz))
            u_add (.a_i(fhi[J2]), .b_i(flo[J0]), .sum_o(fe));
        end else begin : gen_sub
          lut_fp32_add #(.ExpW(ExpW), .FracW(FracW), .Ftz(Ftz))
            u_sub (.a_i(fhi[J2]), .b_i(flo[!J0] ^ SignBit), .sum_o(fe));
        end
        if (HasInt) begin : gen_sel
          assign entry_w[j] = is_fp ? EntryW'(fe) : EntryW'($signed(entry[j]));
        end else begin : gen_fp_only
          logic unused_int;  // FP formats only: the integer sums are not stored
          assign unused_int = ^entry[j];
          assign entry_w[j] = EntryW'(fe);
        end
      end
    end else begin : gen_int
      logic unused_fp;  // no FP datapath: the decoder never lets an FP format through
      assign unused_fp = is_fp | gen_i;
      for (genvar j = 0; j < Entries; j++) begin : gen_ientry
        assign entry_w[j] = entry[j];
      end
    end

    for (genvar j = 0; j < Entries; j++) begin : gen_out
`ifdef LUT_TC_BUG_SWAP_ENTRIES
      // Injected bug: entry 1 <-> entry 2.
      localparam int Src = (j == 1) ? 2 : (j == 2) ? 1 : j;
`else
      localparam int Src = j;
`endif
      assign tables_o[(m*Entries + j)*EntryW +: EntryW] = entry_w[Src];
    end
  end

endmodule : lut_table_gen
