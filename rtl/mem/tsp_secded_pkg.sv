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
  // power of two. In closed form, with no loop over the positions: start
  // past positions 1 and 2, then step over each higher power of two reached.
  // (A search over all 136 positions, called for each of the 128 bits, ran at
  // every evaluation of the Verilated model: 50 k loop steps per MEM cycle.)
  function automatic logic [tsp_secded_pkg::HammingBits-1:0] data_pos(int unsigned i);
    int unsigned j;
    int unsigned p;
    j = i;
`ifdef TSP_PLANT_BUG_SECDED
    // Planted bug for the cosim self-test: data bit 5 takes bit 6's position
    // and bit 6 the last one's.
    if (i == 5) j = 6;
    if (i == 6) j = tsp_secded_pkg::DataBits - 1;
`endif
    p = j + 3;
    for (int unsigned b = 2; b < tsp_secded_pkg::HammingBits; b++) begin
      if (p >= (32'd1 << b)) p = p + 1;
    end
    data_pos = tsp_secded_pkg::HammingBits'(p);
  endfunction

  // The syndrome of a word (XOR of the positions of its set data bits) is
  // tsp_secded_syndrome, which wires these positions once.

endpackage
