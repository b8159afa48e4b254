// The proposed SR source of docs/hardware.md: a lane's 64-bit xorshift state (Marsaglia 2003, shifts 13,
// 7, 17; period 2^64 - 1, so the streams of different outputs practically never overlap), seeded once
// per dot product from two hashes of the output's position and stepped once per draw; a draw is the
// state's upper word.
module edgecl_sr_xorshift64 (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        load_i,   // state := seed_i (never 0: a zero seed loads the golden-ratio constant)
  input  logic [63:0] seed_i,
  input  logic        step_i,   // state := xorshift64(state)
  output logic [31:0] draw_o
);
  localparam logic [63:0] NONZERO = 64'h9E3779B97F4A7C15;
  logic [63:0] s_q, a, b, c;
  always_comb begin
    a = s_q ^ (s_q << 13);
    b = a ^ (a >> 7);
    c = b ^ (b << 17);
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) s_q <= NONZERO;
    else if (load_i) s_q <= seed_i == 0 ? NONZERO : seed_i;
    else if (step_i) s_q <= c;
  end
  assign draw_o = s_q[63:32];
endmodule
