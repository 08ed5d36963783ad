// Reed-Solomon encoder of a chip-to-chip link frame (docs/links.md, "FEC
// RTL"): RS(FecN, FecK) over GF(2^FecSymbolBits) shortened to DataSymbols
// message symbols, systematic. The frame is the message m_0 .. m_{K-1} (m_0 the
// highest-degree coefficient, first on the wire) followed by the Parity
// symbols p_0 .. p_{Parity-1} of m(x) * x^Parity mod g(x), p_0 the coefficient
// of x^(Parity-1). ( is spelled out: Yosys 0.23 has no `import`.)
// An LFSR of Parity registers with constant multipliers by
// g's coefficients divides as the message goes by.
//
// Interface, one symbol per cycle:
//   in_valid_i/in_sym_i/in_ready_o  message symbols; the first accepted after
//                                   reset or after the previous frame's parity
//                                   is m_0, the DataSymbols-th ends the message.
//                                   in_ready_o is low while parity goes out.
//   out_*                           the frame: each message symbol one cycle
//                                   after it is accepted, then the Parity parity
//                                   symbols in the Parity cycles right after the
//                                   last message symbol's; out_first_o marks m_0,
//                                   out_last_o the last parity symbol,
//                                   out_parity_o every parity symbol.
// Latency 1 cycle; a frame fed back to back takes DataSymbols + Parity cycles
// (DataSymbols accepting, Parity with in_ready_o low).
module tsp_rs_enc
#(
  parameter int unsigned DataSymbols = tsp_cfg_tsp1_pkg::C2cDataSymbols
) (
  input  logic                           clk_i,
  input  logic                           rst_ni,
  input  logic                           in_valid_i,
  output logic                           in_ready_o,
  input  logic [tsp_isa_pkg::FecSymbolBits-1:0] in_sym_i,
  output logic                           out_valid_o,
  output logic [tsp_isa_pkg::FecSymbolBits-1:0] out_sym_o,
  output logic                           out_first_o,
  output logic                           out_last_o,
  output logic                           out_parity_o
);
  `include "tsp_gf_params.svh"
  `include "tsp_gf.svh"

  localparam int unsigned CntMax  = DataSymbols > Parity ? DataSymbols : Parity;
  localparam int unsigned CntW    = $clog2(CntMax);
  localparam logic [(Parity+1)*SymBits-1:0] Gen = gen_poly();

  logic [SymBits-1:0] rem_q [Parity];  // rem_q[j]: coefficient of x^j of the remainder
  logic               parity_q;        // the parity symbols are going out
  logic [CntW-1:0]    cnt_q;           // message symbol, then parity symbol, in the frame
  logic               step;            // the LFSR moves this cycle
  logic [SymBits-1:0] fb;              // feedback: 0 while parity shifts out

  assign in_ready_o = !parity_q;
  assign step       = parity_q || in_valid_i;
  assign fb         = parity_q ? '0 : in_sym_i ^ rem_q[Parity-1];

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      for (int unsigned j = 0; j < Parity; j++) rem_q[j] <= '0;
      parity_q     <= 1'b0;
      cnt_q        <= '0;
      out_valid_o  <= 1'b0;
      out_sym_o    <= '0;
      out_first_o  <= 1'b0;
      out_last_o   <= 1'b0;
      out_parity_o <= 1'b0;
    end else begin
      out_valid_o <= step;
      out_first_o <= !parity_q && in_valid_i && cnt_q == '0;
      out_last_o  <= parity_q && cnt_q == CntW'(Parity - 1);
      out_parity_o <= parity_q;
      if (step) begin
        out_sym_o <= parity_q ? rem_q[Parity-1] : in_sym_i;
        // Message: rem <- (rem * x + fb * x^Parity) mod g. Parity: shift out, zeros in.
        rem_q[0] <= gf_mul(fb, Gen[0 +: SymBits]);
        for (int unsigned j = 1; j < Parity; j++) begin
          rem_q[j] <= rem_q[j-1] ^ gf_mul(fb, Gen[j*SymBits +: SymBits]);
        end
        if (cnt_q == CntW'((parity_q ? Parity : DataSymbols) - 1)) begin
          cnt_q    <= '0;
          parity_q <= !parity_q;
        end else begin
          cnt_q <= cnt_q + 1'b1;
        end
      end
    end
  end

  logic unused_gen;
  assign unused_gen = ^Gen[Parity*SymBits +: SymBits];  // the monic top coefficient
endmodule
