// SECDED (137,128) over one 16-byte superlane word [ours, after the paper]:
// extended Hamming. Codeword positions 1..136 hold the 8 Hamming check bits at
// the powers of two and the 128 data bits, in order, at the other positions;
// check bit 8 is the parity of everything else. Same code as the model's
// systemc/mem/secded.cpp; tests/rtl/secded_rtl_test.cpp proves they agree.
//
// Written in the subset Yosys 0.23 reads too (scripts/synth): no 2-D packed
// types, no `return`, no localparam set by a function, and names inside the
// functions written out in full (Yosys expands a package function where it is
// called and resolves its names there).
package tsp_secded_pkg;

  localparam int unsigned DataBits = 128;
  localparam int unsigned HammingBits = 8;
  localparam int unsigned CheckBits = HammingBits + 1;

  // Codeword position of data bit i: the i-th position (from 0) that is not a
  // power of two. Called with constants only, so it folds to a constant.
  function automatic logic [tsp_secded_pkg::HammingBits-1:0] data_pos(int unsigned i);
    int unsigned j;
    int unsigned n;
    logic [tsp_secded_pkg::HammingBits-1:0] p;
    j = i;
`ifdef TSP_PLANT_BUG_SECDED
    // Planted bug for the cosim self-test: data bit 5 takes bit 6's position
    // and bit 6 the last one's.
    if (i == 5) j = 6;
    if (i == 6) j = tsp_secded_pkg::DataBits - 1;
`endif
    n = 0;
    p = '0;
    for (int unsigned q = 1; q <= tsp_secded_pkg::DataBits + tsp_secded_pkg::HammingBits; q++) begin
      if ((q & (q - 1)) != 0) begin
        if (n == j) p = tsp_secded_pkg::HammingBits'(q);
        n = n + 1;
      end
    end
    data_pos = p;
  endfunction

  // XOR of the positions of the set data bits, one parity per syndrome bit:
  // bit b is the parity of the data bits whose position has bit b set (a
  // reduction, which synthesis builds as a tree; a running XOR over the data
  // bits would describe a 128-deep chain).
  function automatic logic [tsp_secded_pkg::HammingBits-1:0] hamming(logic [tsp_secded_pkg::DataBits-1:0] data);
    // m: the data bits under syndrome bit b at bits b*DataBits (flat: Yosys 0.23).
    logic [tsp_secded_pkg::HammingBits*tsp_secded_pkg::DataBits-1:0] m;
    logic [tsp_secded_pkg::HammingBits-1:0] p;
    for (int unsigned i = 0; i < tsp_secded_pkg::DataBits; i++) begin
      p = tsp_secded_pkg::data_pos(i);
      for (int unsigned b = 0; b < tsp_secded_pkg::HammingBits; b++) begin
        m[b*tsp_secded_pkg::DataBits+i] = p[b];
      end
    end
    for (int unsigned b = 0; b < tsp_secded_pkg::HammingBits; b++) begin
      hamming[b] = ^(data & m[b*tsp_secded_pkg::DataBits+:tsp_secded_pkg::DataBits]);
    end
  endfunction

endpackage
