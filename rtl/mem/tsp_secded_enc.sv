// SECDED encoder: the 9 check bits of a 128-bit word (tsp_secded_pkg).
module tsp_secded_enc
  import tsp_secded_pkg::*;
(
  input  logic [DataBits-1:0]  data_i,
  output logic [CheckBits-1:0] check_o
);
  logic [HammingBits-1:0] syndrome;

  assign syndrome = hamming(data_i);
  assign check_o  = {(^data_i) ^ (^syndrome), syndrome};
endmodule
