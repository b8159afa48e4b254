// The candidate cheap SR source of docs/hardware.md: a lane's 32-bit xorshift state (Marsaglia 2003,
// shifts 13, 17, 5), seeded once per dot product with a hash of the output's position and stepped once
// per draw. The seed arrives from a hash shared by the array (edgecl_fmix32), so the lane pays for the
// state and three xor-shift layers only.
module edgecl_sr_xorshift (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        load_i,   // state := seed_i (never 0: a zero seed loads 0x9E3779B9)
  input  logic [31:0] seed_i,
  input  logic        step_i,   // state := xorshift32(state)
  output logic [31:0] draw_o
);
  logic [31:0] s_q, a, b, c;
  always_comb begin
    a = s_q ^ (s_q << 13);
    b = a ^ (a >> 17);
    c = b ^ (b << 5);
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) s_q <= 32'h9E3779B9;
    else if (load_i) s_q <= seed_i == 0 ? 32'h9E3779B9 : seed_i;
    else if (step_i) s_q <= c;
  end
  assign draw_o = s_q;
endmodule
