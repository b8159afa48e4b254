// The exact product of two unpacked f32 values: 48 significand bits, left-aligned in 64 (no rounding).
module edgecl_mul (
  input  logic [1:0]         a_cls_i, b_cls_i,
  input  logic               a_sign_i, b_sign_i,
  input  logic signed [11:0] a_exp_i, b_exp_i,
  input  logic [23:0]        a_sig_i, b_sig_i,
  output logic [1:0]         cls_o,
  output logic               sign_o,
  output logic signed [11:0] exp_o,
  output logic [63:0]        sig_o
);
  logic [47:0] p;
  logic zero_a, zero_b, inf_a, inf_b;

  assign p      = a_sig_i * b_sig_i;
  assign sign_o = a_sign_i ^ b_sign_i;
  assign zero_a = a_cls_i == 2'd0;
  assign zero_b = b_cls_i == 2'd0;
  assign inf_a  = a_cls_i == 2'd2;
  assign inf_b  = b_cls_i == 2'd2;

  always_comb begin
    if (a_cls_i == 2'd3 || b_cls_i == 2'd3 || (inf_a && zero_b) || (zero_a && inf_b)) cls_o = 2'd3;
    else if (inf_a || inf_b) cls_o = 2'd2;
    else if (zero_a || zero_b) cls_o = 2'd0;
    else cls_o = 2'd1;
    // Significands in [1, 2) give a product in [1, 4): its leading bit is bit 47 or 46.
    exp_o = a_exp_i + b_exp_i + 12'(p[47]);
    sig_o = p[47] ? {p, 16'b0} : {p[46:0], 17'b0};
  end
endmodule
