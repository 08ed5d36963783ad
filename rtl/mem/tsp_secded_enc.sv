// SECDED encoder: the 9 check bits of a 128-bit word (tsp_secded_pkg).
module tsp_secded_enc
(
  input  logic [tsp_secded_pkg::DataBits-1:0]  data_i,
  output logic [tsp_secded_pkg::CheckBits-1:0] check_o
);
  logic [tsp_secded_pkg::HammingBits-1:0] syndrome;

  tsp_secded_syndrome u_syndrome (.data_i(data_i), .syndrome_o(syndrome));
  assign check_o  = {(^data_i) ^ (^syndrome), syndrome};
endmodule
