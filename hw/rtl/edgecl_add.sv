// The exact sum of two values as the rounding unit needs it: the leading 64 bits of the magnitude,
// floored, and a sticky bit set when anything below them is nonzero. Floor plus sticky decides every
// rounding mode, stochastic rounding included (its r <= 32 random bits sit within the 64 kept bits).
//
// The larger-exponent operand sits at bits 65..2 of a 67-bit field (bit 66 takes the carry). With an
// exponent gap d >= 2 the difference keeps its leading bit at 64 or 65, so at most two bits of
// normalisation shift in zeros; with d <= 1 nothing is shifted out and the sum is exact.
module edgecl_add (
  input  logic [1:0]         a_cls_i, b_cls_i,
  input  logic               a_sign_i, b_sign_i,
  input  logic signed [11:0] a_exp_i, b_exp_i,
  input  logic [63:0]        a_sig_i, b_sig_i,
  input  logic               round_down_i,  // the sum is rounded toward -inf: exact zeros are -0 (IEEE 754, 6.3)
  output logic [1:0]         cls_o,
  output logic               sign_o,
  output logic signed [11:0] exp_o,
  output logic [63:0]        sig_o,
  output logic               sticky_o
);
  logic               swap;
  logic               big_sign, small_sign;
  logic signed [11:0] big_exp;
  logic [11:0]        gap;
  logic [66:0]        big, small_full, small_al, lost_mask;
  logic               lost;
  logic [67:0]        diff;
  logic [66:0]        res, norm;
  logic               res_sign;
  logic [6:0]         lz;

  always_comb begin
    lost_mask  = '0;
    diff       = '0;
    swap       = b_exp_i > a_exp_i;
    big_sign   = swap ? b_sign_i : a_sign_i;
    small_sign = swap ? a_sign_i : b_sign_i;
    big_exp    = swap ? b_exp_i : a_exp_i;
    gap        = swap ? 12'(b_exp_i - a_exp_i) : 12'(a_exp_i - b_exp_i);
    big        = {1'b0, swap ? b_sig_i : a_sig_i, 2'b00};
    small_full = {1'b0, swap ? a_sig_i : b_sig_i, 2'b00};
    if (gap >= 12'd67) begin
      small_al = '0;
      lost  = 1'b1;
    end else begin
      small_al     = small_full >> gap;
      lost_mask = ~({67{1'b1}} << gap);
      lost      = |(small_full & lost_mask);
    end
    res_sign = big_sign;
    if (big_sign == small_sign) begin
      res = big + small_al;
    end else begin
      // Floor of big - (small_al + a fraction in (0, 1) when lost): subtract one more unit.
      diff = {1'b0, big} - {1'b0, small_al} - 68'(lost);
      if (diff[67]) begin
        // Only with equal exponents (nothing lost): the second operand was larger.
        res      = 67'(-diff);
        res_sign = small_sign;
      end else begin
        res = diff[66:0];
      end
    end
    lz = 7'd0;
    for (int b = 0; b < 67; b++) if (res[b]) lz = 7'(66 - b);
    norm = res << lz;

    exp_o    = big_exp + 12'sd1 - 12'(lz);
    sig_o    = norm[66:3];
    sticky_o = (|norm[2:0]) | lost;
    sign_o   = res_sign;
    cls_o    = 2'd1;

    if (a_cls_i == 2'd3 || b_cls_i == 2'd3 || (a_cls_i == 2'd2 && b_cls_i == 2'd2 && a_sign_i != b_sign_i)) begin
      cls_o = 2'd3;
    end else if (a_cls_i == 2'd2 || b_cls_i == 2'd2) begin
      cls_o  = 2'd2;
      sign_o = a_cls_i == 2'd2 ? a_sign_i : b_sign_i;
    end else if (a_cls_i == 2'd0 && b_cls_i == 2'd0) begin
      cls_o  = 2'd0;
      sign_o = round_down_i ? (a_sign_i | b_sign_i) : (a_sign_i & b_sign_i);
    end else if (a_cls_i == 2'd0) begin
      sign_o = b_sign_i; exp_o = b_exp_i; sig_o = b_sig_i; sticky_o = 1'b0;
    end else if (b_cls_i == 2'd0) begin
      sign_o = a_sign_i; exp_o = a_exp_i; sig_o = a_sig_i; sticky_o = 1'b0;
    end else if (res == 0) begin
      // Exact cancellation (nothing lost, so the sum is truly zero).
      cls_o  = 2'd0;
      sign_o = round_down_i;
    end
  end
endmodule
