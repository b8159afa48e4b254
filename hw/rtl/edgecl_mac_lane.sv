// One MAC unit of the array: holds the running sum s of one output as f32 bits and does one step per
// cycle (docs/gemm.md). Exact mode: p = round_mul(x*w), s = round_acc(s + p); fused: s = round_acc(s + x*w);
// fast mode: the controller passes fp32 with rne for both roundings and asks for one final rounding of s to
// ACC_FMT. Draws come from the output's lane stream (docs/gemm.md): a 64-bit xorshift state (13, 7, 17)
// loaded with the output's seed, stepped twice per exact or fused step (the product's draw, then the sum's,
// each the upper word after its step); the final rounding of fast mode takes the first step's draw.
module edgecl_mac_lane (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        init_i,        // s := init_val_i
  input  logic [31:0] init_val_i,
  input  logic        step_i,        // s := one multiply-accumulate step on x_i, w_i
  input  logic        final_i,       // s := s rounded to final_fmt_i (fast mode)
  input  logic        seed_load_i,   // stream := seed_i (the start of an output)
  input  logic [63:0] seed_i,
  input  logic        stream_step_i, // stream := two xorshift64 steps (with an exact or fused step)
  input  logic [31:0] x_i,
  input  logic [31:0] w_i,
  input  logic        fma_i,
  input  logic [31:0] mul_fmt_i,     // format words (fast mode: fp32)
  input  logic [2:0]  mul_mode_i,
  input  logic [31:0] acc_fmt_i,
  input  logic [2:0]  acc_mode_i,
  input  logic [31:0] final_fmt_i,
  input  logic [2:0]  final_mode_i,
  input  logic [5:0]  sr_bits_i,
  output logic [31:0] s_o
);
  logic [31:0] s_q;

  // Operands and the running sum, unpacked.
  logic [1:0] x_cls, w_cls, s_cls, p_cls, pr_cls, sum_cls, r2_cls;
  logic x_sign, w_sign, s_sign, p_sign, pr_sign, sum_sign, r2_sign;
  logic signed [11:0] x_exp, w_exp, s_exp, p_exp, pr_exp, sum_exp, r2_exp;
  logic [23:0] x_sig, w_sig, s_sig, pr_sig;
  logic [63:0] p_sig, sum_sig, r2_sig;
  logic sum_sticky, r2_sticky;
  logic [31:0] p_rounded, r2_out;

  edgecl_unpack u_x (.f_i(x_i), .cls_o(x_cls), .sign_o(x_sign), .exp_o(x_exp), .sig_o(x_sig));
  edgecl_unpack u_w (.f_i(w_i), .cls_o(w_cls), .sign_o(w_sign), .exp_o(w_exp), .sig_o(w_sig));
  edgecl_unpack u_s (.f_i(s_q), .cls_o(s_cls), .sign_o(s_sign), .exp_o(s_exp), .sig_o(s_sig));

  edgecl_mul u_mul (
    .a_cls_i(x_cls), .a_sign_i(x_sign), .a_exp_i(x_exp), .a_sig_i(x_sig),
    .b_cls_i(w_cls), .b_sign_i(w_sign), .b_exp_i(w_exp), .b_sig_i(w_sig),
    .cls_o(p_cls), .sign_o(p_sign), .exp_o(p_exp), .sig_o(p_sig)
  );

  // The lane stream: one step gives the product's draw (or fast mode's final one), the next the sum's.
  logic [63:0] stream_q, stream_1, stream_2;
  always_comb begin
    stream_1 = stream_q ^ (stream_q << 13);
    stream_1 = stream_1 ^ (stream_1 >> 7);
    stream_1 = stream_1 ^ (stream_1 << 17);
    stream_2 = stream_1 ^ (stream_1 << 13);
    stream_2 = stream_2 ^ (stream_2 >> 7);
    stream_2 = stream_2 ^ (stream_2 << 17);
  end
  logic [31:0] draw_p, draw_s;
  assign draw_p = stream_1[63:32];
  assign draw_s = final_i ? stream_1[63:32] : stream_2[63:32];

  // Product rounded to MUL_FMT.
  logic [4:0] mf_m; logic signed [11:0] mf_emin, mf_emax, mf_bias; logic [22:0] mf_max; logic mf_ieee, mf_sat, mf_nosub;
  edgecl_fmt_decode u_mul_fmt (.word_i(mul_fmt_i), .m_o(mf_m), .emin_o(mf_emin), .emax_o(mf_emax), .bias_o(mf_bias),
                               .max_mant_o(mf_max), .ieee_o(mf_ieee), .sat_o(mf_sat), .nosub_o(mf_nosub));
  edgecl_round u_round_p (
    .cls_i(p_cls), .sign_i(p_sign), .exp_i(p_exp), .sig_i(p_sig), .sticky_i(1'b0),
    .m_i(mf_m), .emin_i(mf_emin), .emax_i(mf_emax), .bias_i(mf_bias), .max_mant_i(mf_max),
    .ieee_i(mf_ieee), .sat_i(mf_sat), .nosub_i(mf_nosub),
    .mode_i(mul_mode_i), .sr_bits_i(sr_bits_i), .draw_i(draw_p), .f32_o(p_rounded)
  );
  edgecl_unpack u_pr (.f_i(p_rounded), .cls_o(pr_cls), .sign_o(pr_sign), .exp_o(pr_exp), .sig_o(pr_sig));

  // The sum, exact: s + the rounded product, or s + the exact product when fused.
  edgecl_add u_add (
    .a_cls_i(s_cls), .a_sign_i(s_sign), .a_exp_i(s_exp), .a_sig_i({s_sig, 40'b0}),
    .b_cls_i(fma_i ? p_cls : pr_cls), .b_sign_i(fma_i ? p_sign : pr_sign),
    .b_exp_i(fma_i ? p_exp : pr_exp), .b_sig_i(fma_i ? p_sig : {pr_sig, 40'b0}),
    .round_down_i(acc_mode_i == 3'd4),
    .cls_o(sum_cls), .sign_o(sum_sign), .exp_o(sum_exp), .sig_o(sum_sig), .sticky_o(sum_sticky)
  );

  // The second rounding: the sum to ACC_FMT, or (fast mode, final) s itself to the job's ACC_FMT.
  assign r2_cls    = final_i ? s_cls : sum_cls;
  assign r2_sign   = final_i ? s_sign : sum_sign;
  assign r2_exp    = final_i ? s_exp : sum_exp;
  assign r2_sig    = final_i ? {s_sig, 40'b0} : sum_sig;
  assign r2_sticky = final_i ? 1'b0 : sum_sticky;
  logic [4:0] af_m; logic signed [11:0] af_emin, af_emax, af_bias; logic [22:0] af_max; logic af_ieee, af_sat, af_nosub;
  edgecl_fmt_decode u_acc_fmt (.word_i(final_i ? final_fmt_i : acc_fmt_i), .m_o(af_m), .emin_o(af_emin), .emax_o(af_emax),
                               .bias_o(af_bias), .max_mant_o(af_max), .ieee_o(af_ieee), .sat_o(af_sat), .nosub_o(af_nosub));
  edgecl_round u_round_s (
    .cls_i(r2_cls), .sign_i(r2_sign), .exp_i(r2_exp), .sig_i(r2_sig), .sticky_i(r2_sticky),
    .m_i(af_m), .emin_i(af_emin), .emax_i(af_emax), .bias_i(af_bias), .max_mant_i(af_max),
    .ieee_i(af_ieee), .sat_i(af_sat), .nosub_i(af_nosub),
    .mode_i(final_i ? final_mode_i : acc_mode_i), .sr_bits_i(sr_bits_i), .draw_i(draw_s), .f32_o(r2_out)
  );

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) s_q <= '0;
    else if (init_i) s_q <= init_val_i;
    else if (step_i || final_i) s_q <= r2_out;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) stream_q <= '0;
    else if (seed_load_i) stream_q <= seed_i;
    else if (stream_step_i) stream_q <= stream_2;
  end

  assign s_o = s_q;
endmodule
