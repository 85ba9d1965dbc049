// M x N array of LUT units with elongated tiling (paper section on the array):
// the 8 table entries of row m are broadcast to the N units of that row, the
// weight code of column n is broadcast to the M units of that column. All
// units share one bit-plane number and one load / accumulate strobe.
//
// Buses (docs/architecture.md section 4):
//   tables_i  entry j of row m at [(m*8 + j)*EntryW +: EntryW] (EntryW is
//             TableW, or 32 when an FP format is built)
//   codes_i   code of column n at [n*CodeW +: CodeW] (one bit plane)
//   c_i/sum_o lane m*N + n, AccW bits each
module lut_array #(
  parameter  int M        = 2,
  parameter  int N        = 64,
  parameter  int WBitsMax = 4,
  parameter  int Formats  = lut_tc_pkg::FormatsInt,  // bit k: afmt k is built
  // Derived, do not override: width of the bit-plane number; an FP format is
  // built; width of one table entry.
  localparam int PlaneW   = (WBitsMax > 1) ? $clog2(WBitsMax) : 1,
  localparam bit HasFp    = (Formats & (lut_tc_pkg::FormatsAll & ~lut_tc_pkg::FormatsInt)) != 0,
  localparam bit Int16    = ((Formats >> lut_tc_pkg::AFmtInt16) & 1) != 0,
  localparam int IntW     = Int16 ? lut_tc_pkg::TableW : lut_tc_pkg::TableW8,
  localparam int EntryW   = HasFp ? lut_tc_pkg::FpW : IntW
) (
  input  logic                                                    clk_i,
  input  logic [M*lut_tc_pkg::TableEntries*EntryW-1:0]            tables_i,
  input  logic [N*lut_tc_pkg::CodeW-1:0]                          codes_i,
  input  logic [PlaneW-1:0]                                       plane_i,
  input  logic                                                    fp_i,  // binary32 LMMA
  input  logic                                                    load_i,
  input  logic [M*N*lut_tc_pkg::AccW-1:0]                         c_i,
  input  logic                                                    acc_en_i,
  output logic [M*N*lut_tc_pkg::AccW-1:0]                         sum_o
);
  `include "lut_tc_names.svh"

  localparam int TableBits = TableEntries * EntryW;

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

  for (genvar m = 0; m < M; m++) begin : gen_row
    for (genvar n = 0; n < N; n++) begin : gen_col
      lut_unit #(
        .WBitsMax (WBitsMax),
        .Formats  (Formats)
      ) u_unit (
        .clk_i    (clk_i),
        .table_i  (tables_i[m*TableBits +: TableBits]),
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

endmodule : lut_array
