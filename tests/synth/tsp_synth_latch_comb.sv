// The synth checker's second self-test (tests/synth/CMakeLists.txt): the same
// incomplete assignment in an always_comb. Verilator lints it as a latch too;
// Yosys stops with an error ("Latch inferred ... from always_comb process"),
// which scripts/synth must report as a failure with the command to reproduce.
module tsp_synth_latch_comb (
  input  logic       en_i,
  input  logic [7:0] d_i,
  output logic [7:0] q_o
);
  always_comb begin
    if (en_i) q_o = d_i;  // no else: a latch, which always_comb forbids
  end
endmodule
