// The synth checker's self-test (tests/synth/CMakeLists.txt): an incomplete
// assignment in combinational logic, the classic unintended latch. Written as
// always @* so that Yosys builds the latch cell (in an always_comb it stops
// with an error instead, which scripts/synth reports as a failure too).
module tsp_synth_latch (
  input  logic       en_i,
  input  logic [7:0] d_i,
  output logic [7:0] q_o
);
  always @* begin
    if (en_i) q_o = d_i;  // no else: q_o keeps its value, a latch
  end
endmodule
