// What the rounding unit needs of a float format word (docs/formats.md): precision, exponent range,
// largest finite mantissa, and the options. Any valid float word decodes; which ones a job may use is
// the register block's check against CAPS_FORMATS.
module edgecl_fmt_decode (
  input  logic [31:0]        word_i,
  output logic [4:0]         m_o,
  output logic signed [11:0] emin_o,
  output logic signed [11:0] emax_o,
  output logic signed [11:0] bias_o,
  output logic [22:0]        max_mant_o,  // mantissa of the largest finite value, aligned as in f32
  output logic               ieee_o,      // has infinities (overflow to inf) rather than NaN only or none
  output logic               sat_o,       // overflow gives the largest finite value
  output logic               nosub_o
);
  logic [1:0]  specials;
  logic [3:0]  e;
  logic [23:0] top;

  always_comb begin
    specials   = word_i[5:4];
    e          = word_i[11:8];
    m_o        = word_i[20:16];
    nosub_o    = word_i[6];
    // Formats with neither infinity nor NaN always saturate.
    sat_o      = word_i[7] | (specials == 2'd2);
    ieee_o     = specials == 2'd0;
    bias_o     = (12'sd1 <<< (e - 4'd1)) - 12'sd1;
    emin_o     = 12'sd1 - bias_o;
    // ieee reserves the top exponent code; fn and none use it for numbers (fn loses its top mantissa to NaN).
    emax_o     = (12'sd1 <<< e) - (ieee_o ? 12'sd2 : 12'sd1) - bias_o;
    top        = (24'd1 << m_o) - 24'd1 - ((specials == 2'd1) ? 24'd1 : 24'd0);
    max_mant_o = 23'(top << (5'd23 - m_o));
  end
endmodule
