// SPDX-License-Identifier: Apache-2.0
//
// The vector loop of every FP block harness: no Python in the loop.
//
// Each unit's harness top (blocks/sv/<unit>_tb.sv) instantiates its block and
// this checker, which loads a vector set written by blocks/vectors.py, drives
// each vector's two input words into the block and compares its binary32
// output bit-exactly (`!==`: an X or Z bit is a mismatch too), at simulator
// speed. The top maps the two words onto the block's ports.
//
// Vector set: a directory given by +dir=<path>, both files read with
// $readmemh, one 32-bit hex word per line:
//
//   meta.hex  [0] Magic (the unit's: "FADD", "FCVT", "FPW2", "FMUL")
//             [1] format version (1)  [2] n, the number of vectors (1..MaxVec)
//   vec.hex   3*n words, three per vector: input 0, input 1, expected
//             binary32 (every NaN as 32'h7FC00000); vector 0 first
//
// Plusargs:
//   +dir=<path>         vector directory (required)
//   +max_errors=<n>     mismatches printed (default 10); every one is counted
//
// Output lines parsed by blocks/harness.py (<P> is Prefix, <x> <y> In0 and In1):
//   <P>_LOADED n=..
//   <P>_MISMATCH index=.. <x>=.. <y>=.. got=.. expected=..  (the first max_errors)
//   <P>_RESULT PASS|FAIL n=<vectors> errors=<mismatches>
//   <P>_ERROR ...                                          (a bad vector set)
// A failure ends with $fatal (non-zero exit status in both simulators).

// A testbench, not RTL: a delay loop in an initial block is deliberate.
module fp_block_check #(
  // Capacity in vectors; blocks/harness.py raises it when a vector set needs it.
  parameter int          MaxVec = 1 << 19,
  parameter logic [31:0] Magic  = 32'h0,
  // Names in the output lines: the line prefix and the two input words.
  parameter              Prefix = "FP",
  parameter              In0    = "in0",
  parameter              In1    = "in1"
) (
  output logic [31:0] in0_o,
  output logic [31:0] in1_o,
  input  logic [31:0] out_i
);
  localparam logic [31:0] Version = 32'd1;

  logic [31:0] meta [3];
  logic [31:0] vec_mem [3 * MaxVec];

  initial begin : run
    string dir;
    int    max_errors;
    int    n;
    int    errors;
    logic [31:0] expected;

    if (!$value$plusargs("dir=%s", dir)) begin
      $display("%0s_ERROR no +dir=<vector directory>", Prefix);
      $fatal(1, "%0s: no vectors", Prefix);
    end
    if (!$value$plusargs("max_errors=%d", max_errors)) begin
      max_errors = 10;
    end
    meta[0] = '0;
    meta[1] = '0;
    meta[2] = '0;
    $readmemh({dir, "/meta.hex"}, meta, 0, 2);
    if (meta[0] !== Magic || meta[1] !== Version) begin
      $display("%0s_ERROR %s/meta.hex: magic %08h version %0d, want %08h version %0d",
               Prefix, dir, meta[0], meta[1], Magic, Version);
      $fatal(1, "%0s: not a vector set of this format", Prefix);
    end
    n = int'(meta[2]);
    if (n < 1 || n > MaxVec) begin
      $display("%0s_ERROR n=%0d outside [1, %0d]: rebuild with a larger MaxVec",
               Prefix, n, MaxVec);
      $fatal(1, "%0s: vector set too large for the build", Prefix);
    end
    $readmemh({dir, "/vec.hex"}, vec_mem, 0, 3 * n - 1);
    $display("%0s_LOADED n=%0d", Prefix, n);
    $fflush();  // the line times the load when stdout is a pipe

    errors = 0;
    for (int i = 0; i < n; i++) begin
      in0_o    = vec_mem[3 * i];
      in1_o    = vec_mem[3 * i + 1];
      expected = vec_mem[3 * i + 2];
      #1;
      if (out_i !== expected) begin
        errors++;
        if (errors <= max_errors) begin
          $display("%0s_MISMATCH index=%0d %0s=%08h %0s=%08h got=%08h expected=%08h",
                   Prefix, i, In0, in0_o, In1, in1_o, out_i, expected);
        end
      end
    end

    if (errors == 0) begin
      $display("%0s_RESULT PASS n=%0d errors=0", Prefix, n);
      $finish;
    end else begin
      $display("%0s_RESULT FAIL n=%0d errors=%0d", Prefix, n, errors);
      $fatal(1, "%0s: %0d mismatch(es) in %0d vectors", Prefix, errors, n);
    end
  end

endmodule : fp_block_check
