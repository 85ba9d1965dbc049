// SPDX-License-Identifier: Apache-2.0
// Formal properties of lut_tensor_core's ports and control (docs/architecture.md
// sections 5, 6 and 9), proven with SymbiYosys: formal/README.md.
//
// The checker holds a specification model of the contract, written from the
// documentation and not from the RTL: the table-register state a port
// observer can infer (which registers an OK LUTGEN validated, in which
// format), the status the decoder must give (section 6, first rule wins), and
// the timing of section 9 (one execute stage of `len` cycles, `b` for an OK
// LMMA on the bit-serial cores and 1 otherwise, then one output register). Its
// two slots, the instruction executing and the response waiting, are the
// scoreboard: every accepted instruction enters the execute slot with its tag
// and expected status, moves to the response slot when the contract says it
// finishes, and leaves it when out_ready_i takes it. The properties compare the
// core's ports with the model; the lemmas compare the core's state with it
// (what makes the properties inductive).
//
// Yosys has no bind and no hierarchical references, so lut_tensor_core
// instantiates this module itself under `ifdef FORMAL`, passing the internal
// state the lemmas and the state properties need. Simulation and synthesis
// never see it.
//
// Groups (one define each; formal/README.md): LUT_TC_FV_HANDSHAKE,
// LUT_TC_FV_ORDER, LUT_TC_FV_TIMING, LUT_TC_FV_RESET, LUT_TC_FV_STATE. The
// lemmas are always on; the covers are on with LUT_TC_FV_COVER.

module lut_tc_props #(
  parameter int T        = 4,
  parameter int WBitsMax = 4,
  parameter int Formats  = lut_tc_pkg::FormatsInt,
  parameter int Core     = lut_tc_pkg::CoreLutTc,
  parameter int CW       = 32,
  parameter int RegBits  = 1,
  parameter int PlaneW   = 1
) (
  input logic                              clk_i,
  input logic                              rst_ni,
  // the core's ports
  input logic                              in_valid_i,
  input logic                              in_ready_o,
  input logic [lut_tc_pkg::InstrW-1:0]     in_instr_i,
  input logic                              out_valid_o,
  input logic                              out_ready_i,
  input logic [lut_tc_pkg::TagW-1:0]       out_tag_o,
  input logic [lut_tc_pkg::StatusW-1:0]    out_status_o,
  input logic [CW-1:0]                     out_d_o,
  // the core's state
  input logic                              ex_valid_q,
  input logic                              ex_lmma_q,
  input logic [lut_tc_pkg::TagW-1:0]       ex_tag_q,
  input logic [lut_tc_pkg::StatusW-1:0]    ex_status_q,
  input logic [PlaneW-1:0]                 ex_last_q,
  input logic [PlaneW-1:0]                 plane_q,
  input logic [T-1:0]                      tvalid_q,
  input logic [T*lut_tc_pkg::AfmtW-1:0]    tfmt_q,
  input logic [T*RegBits-1:0]              tables_q
);
  `include "lut_tc_names.svh"

  localparam int LenW = 4;  // an execute length, 1..8

  // ---------------------------------------------------------------------------
  // The decoder as section 6 states it, against the model's table state
  // ---------------------------------------------------------------------------
  logic [T-1:0]       sh_valid;
  logic [T*AfmtW-1:0] sh_fmt;

  logic [OpcodeW-1:0] f_op;
  logic [TregW-1:0]   f_treg;
  logic [AfmtW-1:0]   f_afmt;
  logic [WbitsW-1:0]  f_wbits;
  logic [AccfmtW-1:0] f_accfmt;
  logic [RsvdW-1:0]   f_rsvd;
  logic [TagW-1:0]    f_tag;
  assign f_op     = in_instr_i[OpcodeLsb +: OpcodeW];
  assign f_treg   = in_instr_i[TregLsb +: TregW];
  assign f_afmt   = in_instr_i[AfmtLsb +: AfmtW];
  assign f_wbits  = in_instr_i[WbitsLsb +: WbitsW];
  assign f_accfmt = in_instr_i[AccfmtLsb +: AccfmtW];
  assign f_rsvd   = in_instr_i[RsvdLsb +: RsvdW];
  assign f_tag    = in_instr_i[TagLsb +: TagW];

  logic s_lutgen, s_lmma, s_fp, s_built, s_has_treg, s_table_ok;
  assign s_lutgen = (f_op == OpLutgen);
  assign s_lmma   = (f_op == OpLmma);
  // FP formats: E4M3 (2), FP16 (3), BF16 (4), E5M2 (5)
  assign s_fp     = (f_afmt >= AFmtFp8E4m3) && (f_afmt <= AFmtFp8E5m2);
  assign s_built  = (f_afmt <= AFmtFp8E5m2) && (((Formats >> f_afmt) & 1) != 0);
  assign s_has_treg = ({28'd0, f_treg} < T);

  always_comb begin
    s_table_ok = 1'b0;
    for (int t = 0; t < T; t++) begin
      if (f_treg == TregW'(t) && sh_valid[t] && sh_fmt[t*AfmtW +: AfmtW] == f_afmt) begin
        s_table_ok = 1'b1;
      end
    end
  end

  logic [StatusW-1:0] s_status;
  always_comb begin
    if (!(s_lutgen || s_lmma) || f_rsvd != '0
        || (s_lutgen && (f_wbits != '0 || f_accfmt != '0))) begin
      s_status = StIllegalInstr;
    end else if (!s_built || (s_lmma && (f_wbits == '0 || {4'd0, f_wbits} > WBitsMax
                                         || f_accfmt != (s_fp ? AccFmtFp32 : AccFmtInt32)))) begin
      s_status = StUnsupported;
    end else if (!s_has_treg) begin
      s_status = StTregRange;
    end else if (s_lmma && !s_table_ok) begin
      s_status = StTableInvalid;
    end else begin
      s_status = StOk;
    end
  end

  // Execute length (section 9 and 11): b cycles for an OK LMMA, 1 on the MAC
  // core and for everything else.
  logic [LenW-1:0] s_len;
  assign s_len = (s_status == StOk && s_lmma && Core != CoreMac) ? LenW'(f_wbits) : LenW'(1);

  // ---------------------------------------------------------------------------
  // The timing model: the execute slot and the response slot
  // ---------------------------------------------------------------------------
  logic               in_fire, out_fire;
  logic               m_ex_v, m_o_v, m_ex_lmma;
  logic [LenW-1:0]    m_age, m_len;
  logic [TagW-1:0]    m_ex_tag, m_o_tag;
  logic [StatusW-1:0] m_ex_st, m_o_st;
  logic               m_last, m_fin, m_ready;

  assign in_fire  = in_valid_i && in_ready_o;
  assign out_fire = out_valid_o && out_ready_i;
  assign m_last   = m_ex_v && (m_age >= m_len);
  assign m_fin    = m_last && (!m_o_v || out_ready_i);
  assign m_ready  = !m_ex_v || m_fin;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      sh_valid  <= '0;
      sh_fmt    <= '0;
      m_ex_v    <= 1'b0;
      m_ex_lmma <= 1'b0;
      m_age     <= '0;
      m_len     <= '0;
      m_ex_tag  <= '0;
      m_ex_st   <= '0;
      m_o_v     <= 1'b0;
      m_o_tag   <= '0;
      m_o_st    <= '0;
    end else begin
      if (in_fire && s_status == StOk && s_lutgen) begin
        for (int t = 0; t < T; t++) begin
          if (f_treg == TregW'(t)) begin
            sh_valid[t]               <= 1'b1;
            sh_fmt[t*AfmtW +: AfmtW]  <= f_afmt;
          end
        end
      end
      if (in_fire) begin
        m_ex_v    <= 1'b1;
        m_ex_lmma <= (s_status == StOk) && s_lmma;
        m_age     <= LenW'(1);
        m_len     <= s_len;
        m_ex_tag  <= f_tag;
        m_ex_st   <= s_status;
      end else if (m_fin) begin
        m_ex_v    <= 1'b0;
      end else if (m_ex_v && !m_last) begin
        m_age     <= m_age + LenW'(1);
      end
      m_o_v <= m_fin || (m_o_v && !out_ready_i);
      if (m_fin) begin
        m_o_tag <= m_ex_tag;
        m_o_st  <= m_ex_st;
      end
    end
  end

  logic f_past, f_rst_q;
  initial f_past = 1'b0;
  always_ff @(posedge clk_i) begin
    f_past  <= 1'b1;
    f_rst_q <= rst_ni;
  end

  // Reset released in this and the previous cycle: where the previous cycle's
  // values below are meaningful.
  logic f_run;
  assign f_run = f_past && rst_ni && f_rst_q;

  // The previous cycle, registered explicitly: the properties are checked
  // combinationally, at the same solver step as the lemmas (a clocked
  // immediate assert would be checked one step later).
  logic                      p_out_stall, p_fin, p_err;
  logic [TagW-1:0]           p_fin_tag, p_out_tag;
  logic [StatusW-1:0]        p_out_st;
  logic [CW-1:0]             p_out_d;
  logic [T-1:0]              p_tvalid;
  logic [T*AfmtW-1:0]        p_tfmt;
  logic [T*RegBits-1:0]      p_tables;
  always_ff @(posedge clk_i) begin
    p_out_stall <= out_valid_o && !out_ready_i;
    p_fin       <= m_fin;
    p_err       <= in_fire && s_status != StOk;
    p_fin_tag   <= m_ex_tag;
    p_out_tag   <= out_tag_o;
    p_out_st    <= out_status_o;
    p_out_d     <= out_d_o;
    p_tvalid    <= tvalid_q;
    p_tfmt      <= tfmt_q;
    p_tables    <= tables_q;
  end

  // ---------------------------------------------------------------------------
  // Lemmas: the core's state is the model's (always on)
  // ---------------------------------------------------------------------------
  always @* begin
    if (rst_ni) begin
      lemma_ex_valid: assert (ex_valid_q == m_ex_v);
      lemma_ex_tag: assert (!m_ex_v || ex_tag_q == m_ex_tag);
      lemma_ex_status: assert (!m_ex_v || ex_status_q == m_ex_st);
      lemma_ex_lmma: assert (!m_ex_v || ex_lmma_q == m_ex_lmma);
      lemma_age: assert (!m_ex_v || (m_age >= LenW'(1) && m_age <= m_len
                                     && {1'b0, m_len} <= 5'(WBitsMax)));
      lemma_plane: assert (!m_ex_v || !ex_lmma_q
                           || (LenW'(plane_q) + LenW'(1) == m_age
                               && LenW'(ex_last_q) + LenW'(1) == m_len));
      lemma_not_lmma: assert (!m_ex_v || ex_lmma_q || m_len == LenW'(1));
      lemma_ok_lmma: assert (!m_ex_v || !m_ex_lmma || m_ex_st == StOk);
      lemma_tables: assert (tvalid_q == sh_valid && tfmt_q == sh_fmt);
      lemma_out: assert (out_valid_o == m_o_v
                         && (!m_o_v || (out_tag_o == m_o_tag && out_status_o == m_o_st)));
    end
  end

`ifdef LUT_TC_FV_HANDSHAKE
  // out_valid_o, forward: once valid, held until out_ready_i takes it, and the
  // response does not change meanwhile.
  always @* begin
    if (f_run && p_out_stall) begin
      out_valid_held: assert (out_valid_o);
      out_payload_stable: assert (out_tag_o == p_out_tag && out_status_o == p_out_st
                                  && out_d_o == p_out_d);
    end
  end
  // in_ready_o: low exactly while the execute stage is busy and cannot finish
  // (its last cycle not reached, or the response before it not yet taken).
  always @* begin
    if (rst_ni) begin
      in_ready_not_early: assert (!in_ready_o || m_ready);
      in_ready_not_late: assert (!m_ready || in_ready_o);
    end
  end
`endif

`ifdef LUT_TC_FV_ORDER
  // out_valid_o, backward: no response without an accepted, unanswered
  // instruction; every one answered once, in order, with its own tag.
  always @* begin
    if (rst_ni) begin
      no_response_without_instr: assert (!out_valid_o || m_o_v);
      response_in_order: assert (!out_valid_o || out_tag_o == m_o_tag);
      every_instr_answered: assert (!m_o_v || out_valid_o);
    end
  end
`endif

`ifdef LUT_TC_FV_TIMING
  // The response appears the cycle after the execute stage's last cycle with
  // the output free (latency b on the bit-serial cores, 1 on MAC), not before.
  always @* begin
    if (f_run && p_fin) begin
      latency_on_time: assert (out_valid_o && out_tag_o == p_fin_tag);
    end
    if (f_run && out_valid_o && !p_out_stall) begin
      latency_not_early: assert (p_fin);
    end
  end
`endif

`ifdef LUT_TC_FV_RESET
  // Reset (at any moment) returns to idle: nothing in flight, no response,
  // ready, every table register invalid.
  always @* begin
    if (f_past && rst_ni && !f_rst_q) begin
      reset_idle: assert (!out_valid_o && in_ready_o && !ex_valid_q && tvalid_q == '0);
    end
  end
`endif

`ifdef LUT_TC_FV_STATE
  // The status a response carries is the decoder's, first rule first
  // (section 6), against the table state the instructions before it left.
  always @* begin
    if (rst_ni) begin
      status_priority: assert (!out_valid_o || out_status_o == m_o_st);
    end
  end
  // An instruction with an error status changes no architectural state: the
  // valid bits, formats and contents of every table register.
  always @* begin
    if (f_run && p_err) begin
      error_keeps_state: assert (tvalid_q == p_tvalid && tfmt_q == p_tfmt && tables_q == p_tables);
    end
  end
`endif

`ifdef LUT_TC_FV_COVER
  // Each property's situation is reachable (an unreachable cover fails the run).
  always @(posedge clk_i) begin
    if (f_run) begin
      cover_stalled_ok_lmma: cover ($past(out_valid_o && !out_ready_i) && out_valid_o
                                    && out_status_o == StOk && out_d_o != '0);
      cover_back_pressure: cover (in_valid_i && !in_ready_o && m_o_v && !out_ready_i);
      cover_two_in_flight: cover (m_ex_v && m_o_v && m_ex_lmma);
      cover_longest_lmma: cover ($past(m_fin && m_ex_lmma)
                                 && $past(m_len) == ((Core == CoreMac) ? LenW'(1)
                                                                      : LenW'(WBitsMax)));
      cover_back_to_back: cover ($past(in_fire && m_fin) && m_ex_lmma);
      cover_status_ok: cover (out_valid_o && out_status_o == StOk);
      cover_status_illegal: cover (out_valid_o && out_status_o == StIllegalInstr);
      cover_status_unsupported: cover (out_valid_o && out_status_o == StUnsupported);
      cover_status_treg_range: cover (out_valid_o && out_status_o == StTregRange);
      cover_status_table_invalid: cover (out_valid_o && out_status_o == StTableInvalid
                                         && sh_valid != '0);
      cover_error_over_tables: cover ($past(in_fire && s_status != StOk && s_lutgen)
                                      && sh_valid != '0);
      cover_table_rewrite: cover ($past(in_fire && s_status == StOk && s_lutgen)
                                  && $past(sh_valid) == sh_valid);
    end
    if (f_past && !rst_ni && f_rst_q) begin
      cover_reset_in_flight: cover ($past(m_ex_v && m_o_v));
    end
  end
`endif

endmodule : lut_tc_props
