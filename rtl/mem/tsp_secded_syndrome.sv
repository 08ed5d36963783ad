// The 8 Hamming syndrome bits of a 128-bit word (tsp_secded_pkg): bit b is
// the parity of the data bits whose codeword position has bit b set, one
// reduction per bit (a tree in synthesis). The positions are constants of
// the code, wired once in a generate loop; computed inside a function on
// every call, Verilator evaluated the search for them at every cycle of the
// model (tens of thousands of loop steps per MEM word store and cycle).
module tsp_secded_syndrome
(
  input  logic [tsp_secded_pkg::DataBits-1:0]    data_i,
  output logic [tsp_secded_pkg::HammingBits-1:0] syndrome_o
);
  // mask[b*DataBits + i]: data bit i counts in syndrome bit b (flat: Yosys 0.23).
  logic [tsp_secded_pkg::HammingBits*tsp_secded_pkg::DataBits-1:0] mask;
  for (genvar i = 0; i < tsp_secded_pkg::DataBits; i++) begin : g_pos
    localparam logic [tsp_secded_pkg::HammingBits-1:0] Pos = tsp_secded_pkg::data_pos(i);
    for (genvar b = 0; b < tsp_secded_pkg::HammingBits; b++) begin : g_bit
      assign mask[b*tsp_secded_pkg::DataBits+i] = Pos[b];
    end
  end
  for (genvar b = 0; b < tsp_secded_pkg::HammingBits; b++) begin : g_syndrome
    assign syndrome_o[b] = ^(data_i & mask[b*tsp_secded_pkg::DataBits+:tsp_secded_pkg::DataBits]);
  end
endmodule
