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
// Buses:
//   acts_i    lane k of row m at [(m*K + k)*ActW +: ActW], signed (ActW is
//             16, or 8 in an instance without INT16)
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
  parameter  int Formats  = lut_tc_pkg::FormatsInt,  // integer formats only
  // Derived, do not override.
  localparam int WW       = WBitsMax + 2,  // one signed dequantized weight
  localparam bit Int16    = ((Formats >> lut_tc_pkg::AFmtInt16) & 1) != 0,
  localparam int ActW     = Int16 ? lut_tc_pkg::ActLaneW : 8
) (
  input  logic                                            clk_i,
  input  logic [M*lut_tc_pkg::K*ActW-1:0]                 acts_i,
  input  logic [WBitsMax*N*lut_tc_pkg::CodeW-1:0]         codes_i,
  input  logic [lut_tc_pkg::WbitsW-1:0]                   wbits_i,  // b, 1..WBitsMax
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
  logic [ColBits-1:0] col_w [N];
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
      assign col_w[n][k*WW +: WW] = {1'b0, q[k*WBitsMax +: WBitsMax], 1'b0} - offset;
    end
  end

  logic [AccW-1:0] unit_c   [M*N];
  logic [AccW-1:0] unit_sum [M*N];

  always_comb begin
    for (int i = 0; i < M * N; i++) begin
      unit_c[i] = c_i[i*AccW +: AccW];
    end
  end

  always_comb begin
    sum_o = '0;
    for (int i = 0; i < M * N; i++) begin
      sum_o[i*AccW +: AccW] = unit_sum[i];
    end
  end

  for (genvar m = 0; m < M; m++) begin : gen_row
    for (genvar n = 0; n < N; n++) begin : gen_col
      mac_unit #(
        .WW   (WW),
        .ActW (ActW)
      ) u_unit (
        .clk_i  (clk_i),
        .acts_i (acts_i[m*RowBits +: RowBits]),
        .w_i    (col_w[n]),
        .load_i (load_i),
        .c_i    (unit_c[m*N + n]),
        .sum_o  (unit_sum[m*N + n])
      );
    end
  end

endmodule : mac_array
