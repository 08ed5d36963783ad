// A stand-in unit for the coverage report's own test (tests/rtl/CMakeLists.txt):
// its cover points are written by hand in the .dat files next to it.
module tsp_demo (
  input  logic       clk_i,
  input  logic       a_i,
  output logic [3:0] q_o
);
  always_ff @(posedge clk_i) begin
    if (a_i) q_o <= 4'h1;
    else q_o <= 4'h2;
  end
  // line 12: excluded in exclusions.txt
endmodule
