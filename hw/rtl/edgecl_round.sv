// One correct rounding of an exact value (floor of its leading 64 bits plus a sticky bit) to a float
// format, returned as f32 bits: docs/formats.md, Rounding. Every mode; stochastic rounding keeps the top
// r bits of the discarded fraction and of the draw, and a carry out of r bits rounds up. NaN results are
// the one quiet NaN 0x7FC00000.
module edgecl_round (
  input  logic [1:0]         cls_i,
  input  logic               sign_i,
  input  logic signed [11:0] exp_i,      // exponent of sig_i[63]
  input  logic [63:0]        sig_i,      // sig_i[63] set for a finite nonzero value
  input  logic               sticky_i,
  input  logic [4:0]         m_i,
  input  logic signed [11:0] emin_i,
  input  logic signed [11:0] emax_i,
  input  logic signed [11:0] bias_i,
  input  logic [22:0]        max_mant_i,
  input  logic               ieee_i,
  input  logic               sat_i,
  input  logic               nosub_i,
  input  logic [2:0]         mode_i,     // rounding code of spec/formats.json
  input  logic [5:0]         sr_bits_i,  // 1..32
  input  logic [31:0]        draw_i,
  output logic [31:0]        f32_o
);
  localparam logic [2:0] RNE = 3'd0, RNA = 3'd1, RZ = 3'd2, RU = 3'd3, RD = 3'd4, RO = 3'd5, SR = 3'd6;
  localparam logic [31:0] QNAN = 32'h7FC00000;

  logic               below;
  logic signed [12:0] ulp_exp, kept_bits, shift, er;
  logic [127:0]       wide, shifted;
  logic               lost;
  logic [24:0]        kept, q;
  logic [63:0]        frac;
  logic               round_bit, rest, inexact, odd, up, carry, to_inf;
  logic [31:0]        sr_mask, sr_sum;
  logic [4:0]         lead;
  logic [22:0]        mant;
  logic [31:0]        packed_f32, max_f32, overflow_f32;
  logic               overflow;

  always_comb begin
    below     = exp_i < emin_i;
    ulp_exp   = below ? (nosub_i ? 13'(emin_i) : 13'(emin_i) - 13'(m_i)) : 13'(exp_i) - 13'(m_i);
    kept_bits = 13'(exp_i) - ulp_exp + 13'sd1;  // at most m + 1 <= 24; <= 0 below half the smallest step
    shift     = 13'sd64 - kept_bits;              // >= 40
    // value / ulp = ({sig, 64'b0} >> shift) / 2^64: integer part above bit 64, fraction below.
    wide = {sig_i, 64'b0};
    if (shift >= 13'sd128) begin
      shifted = '0;
      lost    = |sig_i;
    end else begin
      shifted = wide >> shift[6:0];
      lost    = |(wide << (8'd128 - {1'b0, shift[6:0]}));
    end
    kept      = shifted[88:64];
    frac      = shifted[63:0];
    round_bit = frac[63];
    rest      = (|frac[62:0]) | lost | sticky_i;
    inexact   = round_bit | rest;
    // Parity of the kept code: its last mantissa bit, or for m = 0 normals the exponent code's last bit.
    if (kept == 0) odd = 1'b0;
    else if (!below && m_i == 0) odd = exp_i[0] ^ bias_i[0];
    else odd = kept[0];

    sr_mask          = 32'hFFFFFFFF << (6'd32 - sr_bits_i);
    {carry, sr_sum}  = {1'b0, frac[63:32] & sr_mask} + {1'b0, draw_i & sr_mask};
    case (mode_i)
      RNE:     up = round_bit & (rest | odd);
      RNA:     up = round_bit;
      RU:      up = inexact & ~sign_i;
      RD:      up = inexact & sign_i;
      RO:      up = inexact & ~odd;
      SR:      up = carry;
      default: up = 1'b0;  // RZ
    endcase
    q = kept + 25'(up);

    lead = 5'd0;
    for (int b = 0; b < 25; b++) if (q[b]) lead = 5'(b);
    er = ulp_exp + 13'(lead);
    if (er >= -13'sd126) begin
      mant       = 23'((48'(q) << 23) >> lead);
      packed_f32 = {sign_i, 8'(er + 13'sd127), mant};
    end else begin
      // An f32 subnormal: every format's grid lies on f32's (ulp_exp >= -149).
      mant       = 23'(q << (ulp_exp + 13'sd149));
      packed_f32 = {sign_i, 8'd0, mant};
    end
    overflow = q != 0 && (er > 13'(emax_i) || (er == 13'(emax_i) && mant > max_mant_i));

    to_inf       = mode_i == RNE || mode_i == RNA || mode_i == SR || (mode_i == RU && !sign_i) || (mode_i == RD && sign_i);
    max_f32      = {sign_i, 8'(emax_i + 12'sd127), max_mant_i};
    overflow_f32 = sat_i ? max_f32 : ieee_i ? {sign_i, 8'hFF, 23'b0} : QNAN;

    case (cls_i)
      2'd3:    f32_o = QNAN;
      2'd2:    f32_o = overflow_f32;
      2'd0:    f32_o = {sign_i, 31'b0};
      default: f32_o = q == 0 ? {sign_i, 31'b0} : overflow ? (to_inf ? overflow_f32 : max_f32) : packed_f32;
    endcase
  end
endmodule
