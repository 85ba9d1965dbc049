// SPDX-License-Identifier: Apache-2.0
//
// M x N array of units, the unit chosen by Core (lut_tc_pkg::Core*): every
// core's array is this one skeleton (the per-unit accumulator lanes and the
// M x N generate loop) around its own unit.
//
//   CoreLutTc    LUT units (lut_unit) with elongated tiling (paper section on
//                the array): the 8 table entries of row m are broadcast to
//                the N units of that row, the weight code of column n to the
//                M units of that column. All units share one bit-plane
//                number and one load / accumulate strobe.
//   CoreLutConv  conventional LUT units (lut_conv_unit): the four
//                activations of row m are broadcast to the N units of that
//                row, each of which builds its own 16-entry table from them;
//                codes, plane and strobes as for CoreLutTc.
//   CoreMac      MAC units (mac_unit): the dequantizer of column n turns the
//                b-bit weight codes of its K weights into signed integers
//                once and broadcasts them to the M units of that column; the
//                activations of row m are broadcast to its N units. One
//                cycle per LMMA: no plane number, no accumulate strobe.
//
// MAC dequantization (the symmetric form of docs/architecture.md section 3):
// plane i's code of column n, {neg, sel}, stands for the raw index
// idx = {~neg, sel ^ {3{neg}}}, whose bit k is bit i of weight k's code q_k.
// Planes at and above b are ignored, and
//
//   w_k = 2 q_k - (2^b - 1)          (odd, in [-(2^b - 1), 2^b - 1])
//
// MAC floating point (docs/architecture.md section 11): with fp_i set, the K
// lanes of row m are converted to binary32 once per row (lut_fp_to_f32, in
// format afmt_i; to binary16 with lut_fp_to_f16 where FpAcc is 1 or 2) and
// broadcast to its N units, and each column's weights go to its units as
// sign and magnitude too. The lanes are held at zero while
// fp_i is low, so integer LMMAs do not toggle the FP datapath.
//
// Buses (docs/architecture.md section 4):
//   tables_i  CoreLutTc: entry j of row m at [(m*8 + j)*EntryW +: EntryW]
//             (EntryW is TableW, or 32 when an FP format is built; TableW8
//             without INT16; max(16, the integer width) with FpAcc 1 or 2,
//             the binary16 datapath of docs/architecture.md section 10). The baselines: lane k of row m at
//             [(m*K + k)*ActW +: ActW], signed for the integer formats, a
//             bit pattern for the FP ones (ActW is 16, or 8 in an instance
//             with neither INT16 nor FP16/BF16)
//   codes_i   the bit-serial cores: code of column n at [n*CodeW +: CodeW]
//             (one bit plane); CoreMac: the instruction's whole weight
//             operand (plane i at [i*N*CodeW +: N*CodeW])
//   c_i/sum_o lane m*N + n, AccW bits each
// Inputs a core does not read: plane_i and acc_en_i on CoreMac, wbits_i and
// afmt_i on the bit-serial cores, fp_i on CoreLutConv.
//
// Bug injection for the testbench's negative tests (off by default), in the
// MAC dequantizer with the LUT Tensor Core's meaning (the other cores have
// them in their units and table generator):
//   `LUT_TC_BUG_NO_NEGATE`: the neg bit of every code is read as 0.
//   `LUT_TC_BUG_SWAP_ENTRIES`: codes with sel 1 and sel 2 are swapped.
module lut_array #(
  parameter  int M        = 2,
  parameter  int N        = 64,
  parameter  int WBitsMax = 4,
  parameter  int Formats  = lut_tc_pkg::FormatsInt,  // bit k: afmt k is built
  parameter  int Core     = lut_tc_pkg::CoreLutTc,   // which unit (section 11)
  parameter  int FpAcc    = 0,  // FP datapath: 0 binary32, 1 binary16, 2 binary16 FTZ
  // Derived, do not override: width of the bit-plane number; an FP format is
  // built; width of one FP value; width of a LUT Tensor Core table entry;
  // width of a baseline's stored activation; bits of tables_i and codes_i.
  localparam int PlaneW   = (WBitsMax > 1) ? $clog2(WBitsMax) : 1,
  localparam bit HasFp    = (Formats & (lut_tc_pkg::FormatsAll & ~lut_tc_pkg::FormatsInt)) != 0,
  localparam bit Int16    = ((Formats >> lut_tc_pkg::AFmtInt16) & 1) != 0,
  localparam int IntW     = Int16 ? lut_tc_pkg::TableW : lut_tc_pkg::TableW8,
  localparam int FpValW   = (FpAcc != 0) ? 16 : lut_tc_pkg::FpW,
  localparam int EntryW   = HasFp ? ((IntW > FpValW) ? IntW : FpValW) : IntW,
  localparam bit Wide     = Int16 || ((Formats >> lut_tc_pkg::AFmtFp16) & 1) != 0
                         || ((Formats >> lut_tc_pkg::AFmtBf16) & 1) != 0,
  localparam int ActW     = Wide ? lut_tc_pkg::ActLaneW : 8,
  localparam int TabBits  = (Core == lut_tc_pkg::CoreLutTc)
                          ? M * lut_tc_pkg::TableEntries * EntryW
                          : M * lut_tc_pkg::K * ActW,
  localparam int CodeBits = ((Core == lut_tc_pkg::CoreMac) ? WBitsMax : 1)
                          * N * lut_tc_pkg::CodeW
) (
  input  logic                              clk_i,
  input  logic [TabBits-1:0]                tables_i,
  input  logic [CodeBits-1:0]               codes_i,
  input  logic [PlaneW-1:0]                 plane_i,
  input  logic [lut_tc_pkg::WbitsW-1:0]     wbits_i,  // b, 1..WBitsMax (CoreMac)
  input  logic                              fp_i,     // an FP LMMA
  input  logic [lut_tc_pkg::AfmtW-1:0]      afmt_i,   // its format (CoreMac)
  input  logic                              load_i,
  input  logic [M*N*lut_tc_pkg::AccW-1:0]   c_i,
  input  logic                              acc_en_i,
  output logic [M*N*lut_tc_pkg::AccW-1:0]   sum_o
);
  `include "lut_tc_names.svh"

  localparam int RowBits = TabBits / M;  // one row's table, or its K activations

  // Per-unit C and sums as unpacked arrays, packed/unpacked by one loop each:
  // Icarus rebuilds a packed vector whole on every write to a slice of it, so
  // M*N units each driving a slice of sum_o cost O((M*N)^2) per cycle (24x
  // slower at M2N64). Verilator generates the same code either way.
  logic [AccW-1:0] unit_c   [M*N];
  logic [AccW-1:0] unit_sum [M*N];

  // Loop indices are declared here, not in the loops: a loop that declares its
  // own gives Icarus a `$ivl_for_loop` scope in the waveform's signal tree.
  int ci, si;

  always_comb begin
    for (ci = 0; ci < M * N; ci++) begin
      unit_c[ci] = c_i[ci*AccW +: AccW];
    end
  end

  always_comb begin
    sum_o = '0;
    for (si = 0; si < M * N; si++) begin
      sum_o[si*AccW +: AccW] = unit_sum[si];
    end
  end

  // ---------------------------------------------------------------------------
  // CoreMac: column dequantizers and row converters, shared by the units
  // ---------------------------------------------------------------------------
  localparam int WW      = WBitsMax + 2;  // one signed dequantized weight
  localparam int ColBits = K * WW;

  logic [ColBits-1:0]    col_w   [N];  // dequantized weights of every column
  logic [K-1:0]          col_neg [N];  // sign and magnitude, for the FP datapath
  logic [K*WBitsMax-1:0] col_mag [N];
  logic [K*FpValW-1:0]   row_f [M];    // activations of every row in binary32 (16)

  if (Core == CoreMac) begin : gen_mac
    // 2^b - 1, the offset of the symmetric form.
    logic [WW-1:0] offset;
    assign offset = WW'((1 << wbits_i) - 1);

    for (genvar n = 0; n < N; n++) begin : gen_deq
      logic [K*WBitsMax-1:0] q;  // weight k's code at [k*WBitsMax +: WBitsMax], planes >= b cleared
      for (genvar i = 0; i < WBitsMax; i++) begin : gen_plane
        logic [CodeW-1:0] c, idx;
        logic             live;
        assign c = codes_i[(i*N + n)*CodeW +: CodeW];
`ifdef LUT_TC_BUG_NO_NEGATE
        logic unused_neg;
        assign unused_neg = c[CodeW-1];
        assign idx = {1'b1, c[CodeW-2:0]};
`elsif LUT_TC_BUG_SWAP_ENTRIES
        logic [CodeW-2:0] sel;
        assign sel = (c[CodeW-2:0] == 3'd1) ? 3'd2 : (c[CodeW-2:0] == 3'd2) ? 3'd1 : c[CodeW-2:0];
        assign idx = {!c[CodeW-1], sel ^ {(CodeW-1){c[CodeW-1]}}};
`else
        assign idx = {!c[CodeW-1], c[CodeW-2:0] ^ {(CodeW-1){c[CodeW-1]}}};
`endif
        assign live = WbitsW'(i) < wbits_i;
        for (genvar k = 0; k < K; k++) begin : gen_bit
          assign q[k*WBitsMax + i] = live && idx[k];
        end
      end
      for (genvar k = 0; k < K; k++) begin : gen_w
        logic [WW-1:0] w;
        assign w                    = {1'b0, q[k*WBitsMax +: WBitsMax], 1'b0} - offset;
        assign col_w[n][k*WW +: WW] = w;
        if (HasFp) begin : gen_sign_mag
          logic [WW-1:0] w_abs;
          assign w_abs                              = w[WW-1] ? -w : w;
          assign col_neg[n][k]                      = w[WW-1];
          assign col_mag[n][k*WBitsMax +: WBitsMax] = w_abs[WBitsMax-1:0];
          logic unused_w_abs;  // |w| <= 2^b - 1 fits WBitsMax bits
          assign unused_w_abs = ^w_abs[WW-1:WBitsMax];
        end else begin : gen_no_sign_mag  // integer formats only: nothing to drive
          assign col_neg[n][k]                      = 1'b0;
          assign col_mag[n][k*WBitsMax +: WBitsMax] = '0;
        end
      end
    end

    for (genvar m = 0; m < M; m++) begin : gen_conv
      if (HasFp) begin : gen_fp
        for (genvar k = 0; k < K; k++) begin : gen_lane
          logic [ActLaneW-1:0] raw, lane;
          assign raw  = ActLaneW'(tables_i[(m*K + k)*ActW +: ActW]);
          assign lane = fp_i ? raw : '0;
          if (FpAcc != 0) begin : gen_f16
            lut_fp_to_f16 #(
              .Formats (Formats)
            ) u_to_f16 (
              .lane_i (lane),
              .afmt_i (afmt_i),
              .f16_o  (row_f[m][k*FpValW +: FpValW])
            );
          end else begin : gen_f32
            lut_fp_to_f32 u_to_f32 (
              .lane_i (lane),
              .afmt_i (afmt_i),
              .f32_o  (row_f[m][k*FpValW +: FpValW])
            );
          end
        end
      end else begin : gen_no_fp
        assign row_f[m] = '0;
      end
    end
    logic unused_mac;  // one cycle per LMMA: no plane number, no accumulate strobe
    assign unused_mac = ^{plane_i, acc_en_i, HasFp || ^{fp_i, afmt_i}};
  end else begin : gen_serial
    // The MAC units' inputs: tied off, no MAC unit reads them.
    logic [N-1:0] unused_cols;
    logic [M-1:0] unused_rows;
    for (genvar n = 0; n < N; n++) begin : gen_no_deq
      assign col_w[n]       = '0;
      assign col_neg[n]     = '0;
      assign col_mag[n]     = '0;
      assign unused_cols[n] = ^{col_w[n], col_neg[n], col_mag[n]};
    end
    for (genvar m = 0; m < M; m++) begin : gen_no_conv
      assign row_f[m]       = '0;
      assign unused_rows[m] = ^row_f[m];
    end
    logic unused_serial;  // b and the format are the decoder's and the tables'
    assign unused_serial = ^{wbits_i, afmt_i, (Core == CoreLutTc) || fp_i};
  end

  // ---------------------------------------------------------------------------
  // The units
  // ---------------------------------------------------------------------------
  for (genvar m = 0; m < M; m++) begin : gen_row
    for (genvar n = 0; n < N; n++) begin : gen_col
      if (Core == CoreLutConv) begin : gen_conv
        lut_conv_unit #(
          .WBitsMax (WBitsMax),
          .Formats  (Formats)
        ) u_unit (
          .clk_i    (clk_i),
          .acts_i   (tables_i[m*RowBits +: RowBits]),
          .code_i   (codes_i[n*CodeW +: CodeW]),
          .plane_i  (plane_i),
          .load_i   (load_i),
          .c_i      (unit_c[m*N + n]),
          .acc_en_i (acc_en_i),
          .sum_o    (unit_sum[m*N + n])
        );
      end else if (Core == CoreMac) begin : gen_mac
        mac_unit #(
          .WBitsMax (WBitsMax),
          .Formats  (Formats),
          .FpAcc    (FpAcc)
        ) u_unit (
          .clk_i  (clk_i),
          .acts_i (tables_i[m*RowBits +: RowBits]),
          .w_i    (col_w[n]),
          .f_i    (row_f[m]),
          .wneg_i (col_neg[n]),
          .wmag_i (col_mag[n]),
          .fp_i   (fp_i),
          .load_i (load_i),
          .c_i    (unit_c[m*N + n]),
          .sum_o  (unit_sum[m*N + n])
        );
      end else begin : gen_lut_tc
        lut_unit #(
          .WBitsMax (WBitsMax),
          .Formats  (Formats),
          .FpAcc    (FpAcc)
        ) u_unit (
          .clk_i    (clk_i),
          .table_i  (tables_i[m*RowBits +: RowBits]),
          .code_i   (codes_i[n*CodeW +: CodeW]),
          .plane_i  (plane_i),
          .fp_i     (fp_i),
          .load_i   (load_i),
          .c_i      (unit_c[m*N + n]),
          .acc_en_i (acc_en_i),
          .sum_o    (unit_sum[m*N + n])
        );
      end
    end
  end

endmodule : lut_array
