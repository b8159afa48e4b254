// An f32 word as the MAC datapath carries values: class, sign, the exponent of the leading significand
// bit, and the significand normalized to a set bit 23 (subnormals shifted up).
module edgecl_unpack (
  input  logic [31:0]        f_i,
  output logic [1:0]         cls_o,   // edgecl_cls: 0 zero, 1 finite nonzero, 2 infinity, 3 NaN
  output logic               sign_o,
  output logic signed [11:0] exp_o,
  output logic [23:0]        sig_o
);
  logic [7:0]  expf;
  logic [22:0] frac;
  logic [4:0]  lz;

  assign expf   = f_i[30:23];
  assign frac   = f_i[22:0];
  assign sign_o = f_i[31];

  always_comb begin
    lz = 5'd0;
    for (int b = 0; b < 23; b++) if (frac[b]) lz = 5'(22 - b);
  end

  always_comb begin
    if (expf == 8'hFF) begin
      cls_o = frac != 0 ? 2'd3 : 2'd2;
      exp_o = '0;
      sig_o = '0;
    end else if (expf == 8'h00) begin
      cls_o = frac != 0 ? 2'd1 : 2'd0;
      // A subnormal f32 is frac * 2^-149: its leading bit (index 22 - lz) has weight 2^(-127 - lz).
      exp_o = -12'sd127 - 12'(lz);
      sig_o = {1'b0, frac} << (lz + 5'd1);
    end else begin
      cls_o = 2'd1;
      exp_o = 12'(expf) - 12'sd127;
      sig_o = {1'b1, frac};
    end
  end
endmodule
