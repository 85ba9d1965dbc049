// SPDX-License-Identifier: Apache-2.0
//
// Pure-SystemVerilog vector harness of `mac_fp_mul`: no Python in the loop.
//
// tb/fpunits.py writes a vector set (x, {neg, mag} and numpy's float32
// x * (neg ? -mag : mag), every NaN as 32'h7FC00000) and this module drives
// each vector into the multiplier and compares its output bit-exactly (`!==`:
// an X or Z bit is a mismatch too), at simulator speed.
//
// Vector set: a directory given by +dir=<path>, both files read with
// $readmemh, one 32-bit hex word per line:
//
//   meta.hex  [0] magic 32'h464D554C ("FMUL")  [1] format version (1)
//             [2] n, the number of vectors (1..MaxVec)
//   vec.hex   3*n words, three per vector: x, control (bit 8: neg, bits [7:0]:
//             mag, odd, below 2^MagW), expected binary32; vector 0 first
//
// Plusargs:
//   +dir=<path>         vector directory (required)
//   +max_errors=<n>     mismatches printed (default 10); every one is counted
//
// Output lines parsed by tb/fpunits.py:
//   FMUL_LOADED n=..
//   FMUL_MISMATCH index=.. in0=<x> in1=<control> got=.. expected=..  (the first max_errors)
//   FMUL_RESULT PASS|FAIL n=<vectors> errors=<mismatches>
//   FMUL_ERROR ...                                                    (a bad vector set)
// A failure ends with $fatal (non-zero exit status in both simulators).

// A testbench, not RTL: a delay loop in an initial block is deliberate.
module mac_fp_mul_tb #(
  // Capacity in vectors; tb/fpunits.py raises it when a vector set needs it.
  parameter int MaxVec = 1 << 19,
  // The multiplier's widths: FP16's significand (every format's converted value
  // fits it) and 8-bit weight magnitudes.
  parameter int SigW = 11,
  parameter int MagW = 8
);
  localparam logic [31:0] Magic   = 32'h464D_554C;
  localparam logic [31:0] Version = 32'd1;

  logic [31:0] meta [3];
  logic [31:0] vec_mem [3 * MaxVec];

  logic [31:0] in0, in1, f32;

  mac_fp_mul #(
    .SigW (SigW),
    .MagW (MagW)
  ) u_dut (
    .x_i   (in0),
    .neg_i (in1[8]),
    .mag_i (in1[MagW-1:0]),
    .y_o   (f32)
  );

  initial begin : run
    string dir;
    int    max_errors;
    int    n;
    int    errors;
    logic [31:0] expected;

    if (!$value$plusargs("dir=%s", dir)) begin
      $display("FMUL_ERROR no +dir=<vector directory>");
      $fatal(1, "fmul: no vectors");
    end
    if (!$value$plusargs("max_errors=%d", max_errors)) begin
      max_errors = 10;
    end
    meta[0] = '0;
    meta[1] = '0;
    meta[2] = '0;
    $readmemh({dir, "/meta.hex"}, meta, 0, 2);
    if (meta[0] !== Magic || meta[1] !== Version) begin
      $display("FMUL_ERROR %s/meta.hex: magic %08h version %0d, want %08h version %0d",
               dir, meta[0], meta[1], Magic, Version);
      $fatal(1, "fmul: not a vector set of this format");
    end
    n = int'(meta[2]);
    if (n < 1 || n > MaxVec) begin
      $display("FMUL_ERROR n=%0d outside [1, %0d]: rebuild with a larger MaxVec", n, MaxVec);
      $fatal(1, "fmul: vector set too large for the build");
    end
    $readmemh({dir, "/vec.hex"}, vec_mem, 0, 3 * n - 1);
    $display("FMUL_LOADED n=%0d", n);
    $fflush();  // the line times the load when stdout is a pipe

    errors = 0;
    for (int i = 0; i < n; i++) begin
      in0      = vec_mem[3 * i];
      in1      = vec_mem[3 * i + 1];
      expected = vec_mem[3 * i + 2];
      #1;
      if (f32 !== expected) begin
        errors++;
        if (errors <= max_errors) begin
          $display("FMUL_MISMATCH index=%0d in0=%08h in1=%08h got=%08h expected=%08h",
                   i, in0, in1, f32, expected);
        end
      end
    end

    if (errors == 0) begin
      $display("FMUL_RESULT PASS n=%0d errors=0", n);
      $finish;
    end else begin
      $display("FMUL_RESULT FAIL n=%0d errors=%0d", n, errors);
      $fatal(1, "fmul: %0d mismatch(es) in %0d vectors", errors, n);
    end
  end

endmodule : mac_fp_mul_tb
