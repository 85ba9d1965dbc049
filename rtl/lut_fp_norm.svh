// SPDX-License-Identifier: Apache-2.0
//
// Normalize by halves, the left shift the binary32 blocks share
// (lut_fp32_add, lut_fp32_pow2, mac_fp_mul), for a module body:
//
//   localparam int NormSigW = 24;  // significand width, top bit = hidden bit (>= 17)
//   localparam int NormExpW = 10;  // exponent width
//   `include "lut_fp_norm.svh"
//   ...
//   {e, sig} = fp_norm(sig, e);    // inside the block's always_comb
//
// fp_norm(sig, e) moves sig left past its leading zeros, but at most e - 1
// places, so that the exponent e of sig's top bit stops at 1 (the result is
// subnormal then: no hidden bit). It goes by halves: 16, 8, 4, 2 and 1
// places, each step taken if the top that many bits are zero and the
// exponent is above that many, which moves exactly min(leading zeros, e - 1)
// places in all. A significand with its top bit set does not move.
//
// A function, not a module: it runs inside the caller's one always_comb, so
// an input change still costs the block one pass of straight-line code in
// Icarus (see rtl/lut_fp32_add.sv), and synthesis sees the same logic as
// when it was written out. It compares the whole significand against powers
// of two and takes no constant selects (Icarus 11 cannot inside always_comb).

localparam logic [NormSigW-1:0] NormOne = 1;
// sig below NormLtS: its top S bits are zero.
localparam logic [NormSigW-1:0] NormLt16 = NormOne << (NormSigW - 16);
localparam logic [NormSigW-1:0] NormLt8  = NormOne << (NormSigW - 8);
localparam logic [NormSigW-1:0] NormLt4  = NormOne << (NormSigW - 4);
localparam logic [NormSigW-1:0] NormLt2  = NormOne << (NormSigW - 2);
localparam logic [NormSigW-1:0] NormLt1  = NormOne << (NormSigW - 1);

// {exponent, significand} after the move.
function automatic logic [NormExpW+NormSigW-1:0] fp_norm(logic [NormSigW-1:0] sig_in,
                                                         logic [NormExpW-1:0] e_in);
  logic [NormSigW-1:0] sig;
  logic [NormExpW-1:0] e;
  sig = sig_in;
  e   = e_in;
  if ((sig < NormLt16) && (e > NormExpW'(16))) begin
    sig = sig << 16;
    e   = e - NormExpW'(16);
  end
  if ((sig < NormLt8) && (e > NormExpW'(8))) begin
    sig = sig << 8;
    e   = e - NormExpW'(8);
  end
  if ((sig < NormLt4) && (e > NormExpW'(4))) begin
    sig = sig << 4;
    e   = e - NormExpW'(4);
  end
  if ((sig < NormLt2) && (e > NormExpW'(2))) begin
    sig = sig << 2;
    e   = e - NormExpW'(2);
  end
  if ((sig < NormLt1) && (e > NormExpW'(1))) begin
    sig = sig << 1;
    e   = e - NormExpW'(1);
  end
  fp_norm = {e, sig};
endfunction
