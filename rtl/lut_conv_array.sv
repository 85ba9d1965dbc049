// M x N array of conventional LUT units (lut_conv): the four activations of
// row m are broadcast to the N units of that row, each of which builds its
// own 16-entry table from them; the weight code of column n is broadcast to
// the M units of that column. Buses as lut_array's, with activations instead
// of tables:
//   acts_i    lane k of row m at [(m*K + k)*ActW +: ActW], signed (ActW is
//             16, or 8 in an instance without INT16)
//   codes_i   code of column n at [n*CodeW +: CodeW] (one bit plane)
//   c_i/sum_o lane m*N + n, AccW bits each
module lut_conv_array #(
  parameter  int M        = 2,
  parameter  int N        = 64,
  parameter  int WBitsMax = 4,
  parameter  int Formats  = lut_tc_pkg::FormatsInt,  // integer formats only
  // Derived, do not override.
  localparam int PlaneW   = (WBitsMax > 1) ? $clog2(WBitsMax) : 1,
  localparam bit Int16    = ((Formats >> lut_tc_pkg::AFmtInt16) & 1) != 0,
  localparam int ActW     = Int16 ? lut_tc_pkg::ActLaneW : 8
) (
  input  logic                                            clk_i,
  input  logic [M*lut_tc_pkg::K*ActW-1:0]                 acts_i,
  input  logic [N*lut_tc_pkg::CodeW-1:0]                  codes_i,
  input  logic [PlaneW-1:0]                               plane_i,
  input  logic                                            load_i,
  input  logic [M*N*lut_tc_pkg::AccW-1:0]                 c_i,
  input  logic                                            acc_en_i,
  output logic [M*N*lut_tc_pkg::AccW-1:0]                 sum_o
);
  `include "lut_tc_names.svh"

  localparam int RowBits = K * ActW;

  // Unpacked per-unit lanes, as in lut_array (Icarus cost of slice writes).
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
      lut_conv_unit #(
        .WBitsMax (WBitsMax),
        .Formats  (Formats)
      ) u_unit (
        .clk_i    (clk_i),
        .acts_i   (acts_i[m*RowBits +: RowBits]),
        .code_i   (codes_i[n*CodeW +: CodeW]),
        .plane_i  (plane_i),
        .load_i   (load_i),
        .c_i      (unit_c[m*N + n]),
        .acc_en_i (acc_en_i),
        .sum_o    (unit_sum[m*N + n])
      );
    end
  end

endmodule : lut_conv_array
