// Draw n of the counter-based SR stream with key k (docs/formats.md, The random stream):
// fmix32((n * 0x9E3779B9) ^ k), MurmurHash3's 32-bit finalizer.
module edgecl_fmix32 (
  input  logic [31:0] n_i,
  input  logic [31:0] key_i,
  output logic [31:0] draw_o
);
  logic [31:0] h0, h1, h2, h3, h4;
  always_comb begin
    h0     = (n_i * 32'h9E3779B9) ^ key_i;
    h1     = (h0 ^ (h0 >> 16)) * 32'h85EBCA6B;
    h2     = h1 ^ (h1 >> 13);
    h3     = h2 * 32'hC2B2AE35;
    h4     = h3 ^ (h3 >> 16);
    draw_o = h4;
  end
endmodule
