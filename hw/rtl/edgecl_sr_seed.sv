// The seed of an output's lane stream (docs/gemm.md): fmix32((o * 0x9E3779B9) ^ key) in the upper word,
// fmix32((o * 0x9E3779B9) ^ key ^ 0x85EBCA6B) in the lower one, for the output's position o = i*N + j.
// Never 0 (fmix32 is a bijection fixing 0, and the halves hash different words), so no zero-state guard.
// Used once per output, when its lane starts.
module edgecl_sr_seed (
  input  logic [31:0] o_i,
  input  logic [31:0] key_i,
  output logic [63:0] seed_o
);
  edgecl_fmix32 u_hi (.n_i(o_i), .key_i(key_i), .draw_o(seed_o[63:32]));
  edgecl_fmix32 u_lo (.n_i(o_i), .key_i(key_i ^ 32'h85EBCA6B), .draw_o(seed_o[31:0]));
endmodule
