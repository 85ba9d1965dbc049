// M x N array of MAC units (mac): the dequantizer of column n turns the
// b-bit weight codes of its K weights into signed integers once and
// broadcasts them to the M units of that column; the activations of row m
// are broadcast to its N units.
//
// Dequantization (the symmetric form of docs/architecture.md section 3):
// plane i's code of column n, {neg, sel}, stands for the raw index
// idx = {~neg, sel ^ {3{neg}}}, whose bit k is bit i of weight k's code q_k.
// Planes at and above b are ignored, and
//
//   w_k = 2 q_k - (2^b - 1)          (odd, in [-(2^b - 1), 2^b - 1])
//
// Floating point (docs/architecture.md section 11): with fp_i set, the K
// lanes of row m are converted to binary32 once per row (lut_fp_to_f32, in
// format afmt_i) and broadcast to its N units, and each column's weights go
// to its units as sign and magnitude too. The lanes are held at zero while
// fp_i is low, so integer LMMAs do not toggle the FP datapath.
//
// Buses:
//   acts_i    lane k of row m at [(m*K + k)*ActW +: ActW], signed for the
//             integer formats, a bit pattern for the FP ones (ActW is 16,
//             or 8 in an instance with neither INT16 nor FP16/BF16)
//   codes_i   the instruction's whole weight operand (every plane, plane i
//             at [i*N*CodeW +: N*CodeW])
//   c_i/sum_o lane m*N + n, AccW bits each
//
// Bug injection for the testbench's negative tests (off by default), with
// the LUT Tensor Core's meaning:
//   `LUT_TC_BUG_NO_NEGATE`: the neg bit of every code is read as 0.
//   `LUT_TC_BUG_SWAP_ENTRIES`: codes with sel 1 and sel 2 are swapped.
module mac_array #(
  parameter  int M        = 2,
  parameter  int N        = 64,
  parameter  int WBitsMax = 4,
  parameter  int Formats  = lut_tc_pkg::FormatsInt,  // bit k: afmt k is built
  // Derived, do not override.
  localparam int WW       = WBitsMax + 2,  // one signed dequantized weight
  localparam bit HasFp    = (Formats & (lut_tc_pkg::FormatsAll & ~lut_tc_pkg::FormatsInt)) != 0,
  localparam bit Wide     = ((Formats >> lut_tc_pkg::AFmtInt16) & 1) != 0
                         || ((Formats >> lut_tc_pkg::AFmtFp16) & 1) != 0
                         || ((Formats >> lut_tc_pkg::AFmtBf16) & 1) != 0,
  localparam int ActW     = Wide ? lut_tc_pkg::ActLaneW : 8
) (
  input  logic                                            clk_i,
  input  logic [M*lut_tc_pkg::K*ActW-1:0]                 acts_i,
  input  logic [WBitsMax*N*lut_tc_pkg::CodeW-1:0]         codes_i,
  input  logic [lut_tc_pkg::WbitsW-1:0]                   wbits_i,  // b, 1..WBitsMax
  input  logic                                            fp_i,     // binary32 LMMA
  input  logic [lut_tc_pkg::AfmtW-1:0]                    afmt_i,   // its format
  input  logic                                            load_i,
  input  logic [M*N*lut_tc_pkg::AccW-1:0]                 c_i,
  output logic [M*N*lut_tc_pkg::AccW-1:0]                 sum_o
);
  `include "lut_tc_names.svh"

  localparam int RowBits = K * ActW;
  localparam int ColBits = K * WW;

  // 2^b - 1, the offset of the symmetric form.
  logic [WW-1:0] offset;
  assign offset = WW'((1 << wbits_i) - 1);

  // Dequantized weights of every column.
  logic [ColBits-1:0]    col_w   [N];
  logic [K-1:0]          col_neg [N];  // sign and magnitude, for the FP datapath
  logic [K*WBitsMax-1:0] col_mag [N];
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

  // Activations of every row in binary32 (FP formats), shared by the row's units.
  logic [K*FpW-1:0] row_f32 [M];
  for (genvar m = 0; m < M; m++) begin : gen_conv
    if (HasFp) begin : gen_fp
      for (genvar k = 0; k < K; k++) begin : gen_lane
        logic [ActLaneW-1:0] raw, lane;
        assign raw  = ActLaneW'(acts_i[(m*K + k)*ActW +: ActW]);
        assign lane = fp_i ? raw : '0;
        lut_fp_to_f32 u_to_f32 (
          .lane_i (lane),
          .afmt_i (afmt_i),
          .f32_o  (row_f32[m][k*FpW +: FpW])
        );
      end
    end else begin : gen_no_fp
      assign row_f32[m] = '0;
    end
  end
  if (!HasFp) begin : gen_no_fp
    logic unused_fp;  // no FP datapath: the decoder never starts an FP LMMA
    assign unused_fp = ^{fp_i, afmt_i};
  end

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

  for (genvar m = 0; m < M; m++) begin : gen_row
    for (genvar n = 0; n < N; n++) begin : gen_col
      mac_unit #(
        .WBitsMax (WBitsMax),
        .Formats  (Formats)
      ) u_unit (
        .clk_i  (clk_i),
        .acts_i (acts_i[m*RowBits +: RowBits]),
        .w_i    (col_w[n]),
        .f32_i  (row_f32[m]),
        .wneg_i (col_neg[n]),
        .wmag_i (col_mag[n]),
        .fp_i   (fp_i),
        .load_i (load_i),
        .c_i    (unit_c[m*N + n]),
        .sum_o  (unit_sum[m*N + n])
      );
    end
  end

endmodule : mac_array
