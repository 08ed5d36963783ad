// SECDED (137,128) over one 16-byte superlane word [ours, after the paper]:
// extended Hamming. Codeword positions 1..136 hold the 8 Hamming check bits at
// the powers of two and the 128 data bits, in order, at the other positions;
// check bit 8 is the parity of everything else. Same code as the model's
// systemc/mem/secded.cpp; tests/rtl/secded_rtl_test.cpp proves they agree.
package tsp_secded_pkg;

  localparam int unsigned DataBits = 128;
  localparam int unsigned HammingBits = 8;
  localparam int unsigned CheckBits = HammingBits + 1;

  typedef logic [DataBits-1:0][HammingBits-1:0] data_pos_t;

  // Codeword position of every data bit: the positions that are not powers of two.
  function automatic data_pos_t data_positions();
    data_pos_t pos;
    int unsigned p = 1;
    for (int unsigned i = 0; i < DataBits; i++) begin
      while ((p & (p - 1)) == 0) p++;
      pos[i] = HammingBits'(p);
      p++;
    end
`ifdef TSP_PLANT_BUG_SECDED
    // Planted bug for the cosim self-test: two data bits swap positions.
    pos[5] = pos[6];
    pos[6] = HammingBits'(p - 1);
`endif
    return pos;
  endfunction

  localparam data_pos_t DataPos = data_positions();

  // XOR of the positions of the set data bits.
  function automatic logic [HammingBits-1:0] hamming(logic [DataBits-1:0] data);
    logic [HammingBits-1:0] s = '0;
    for (int unsigned i = 0; i < DataBits; i++) begin
      if (data[i]) s ^= DataPos[i];
    end
    return s;
  endfunction

endpackage
