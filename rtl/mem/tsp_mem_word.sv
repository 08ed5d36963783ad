// One superlane's share of a MEM slice: Depth 16-byte words with SECDED
// (137,128) check bits, in Banks banks (bank = address mod Banks, row =
// address / Banks), one read port and one write port per cycle.
//
// Timing (chip cycles): ports are sampled at the end of cycle c (the SRAM
// access cycle of docs/timing.md); the word read in cycle c is on rd_data_o in
// cycle c + RdLatency, decoded (single flipped bit corrected, two flagged).
// A read and a write to the same bank in one cycle is the model's bank
// conflict: conflict_o is high in that cycle and the read is still served.
//
// Backdoor (verification only; bd_en_i low in a chip): while bd_en_i is high
// the ports and the read pipeline hold, and one edge writes bd_data_i through
// the encoder to bd_addr_i (bd_flip_i low: preload) or flips codeword bit
// bd_bit_i there (bd_flip_i high: 0..127 data, 128..136 check, the model's
// numbering in systemc/mem/secded.hpp).
//
// Observation (verification only, nothing in a chip reads them): arr_* show
// what enters the array at this cycle's edge from the write port (bank, row,
// the codeword {check, data}); bd_rd_addr_i / bd_rd_code_o read one stored
// codeword combinationally, for the final comparison of the SRAM's contents.
module tsp_mem_word
#(
  parameter int unsigned Depth     = tsp_cfg_tsp1_pkg::MemAddresses,
  parameter int unsigned Banks     = tsp_cfg_tsp1_pkg::MemBanks,
  parameter int unsigned RdLatency = tsp_isa_pkg::LatRead - tsp_isa_pkg::SramRead,
  localparam int unsigned AddrW    = $clog2(Depth),
  localparam int unsigned CodeBits = tsp_secded_pkg::DataBits + tsp_secded_pkg::CheckBits
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  // read port
  input  logic                rd_en_i,
  input  logic [AddrW-1:0]    rd_addr_i,
  output logic                rd_valid_o,
  output logic [tsp_secded_pkg::DataBits-1:0] rd_data_o,
  output logic                rd_corrected_o,      // a single flipped bit was corrected
  output logic                rd_uncorrectable_o,  // two flipped bits: data_o is the raw word
  // write port
  input  logic                wr_en_i,
  input  logic [AddrW-1:0]    wr_addr_i,
  input  logic [tsp_secded_pkg::DataBits-1:0] wr_data_i,
  // status
  output logic                conflict_o,          // read and write hit one bank this cycle
  output logic [31:0]         corrected_count_o,   // single-bit errors corrected so far
  // backdoor
  input  logic                bd_en_i,
  input  logic                bd_flip_i,
  input  logic [AddrW-1:0]    bd_addr_i,
  input  logic [tsp_secded_pkg::DataBits-1:0] bd_data_i,
  input  logic [7:0]          bd_bit_i,
  input  logic [AddrW-1:0]    bd_rd_addr_i,
  output logic [CodeBits-1:0] bd_rd_code_o,
  // what the write port puts into the array at this cycle's edge
  output logic                arr_we_o,
  output logic [AddrW-1:0]    arr_bank_o,
  output logic [AddrW-1:0]    arr_row_o,
  output logic [CodeBits-1:0] arr_code_o
);
  localparam int unsigned Rows = Depth / Banks;
  localparam int unsigned BankW = Banks > 1 ? $clog2(Banks) : 1;
  localparam int unsigned RowW = $clog2(Rows);
`ifdef TSP_PLANT_BUG_MEM
  // Planted bug for the cosim self-test: one register too many on the read path.
  localparam int unsigned Stages = RdLatency + 1;
`else
  localparam int unsigned Stages = RdLatency;
`endif
  // What the write port stores: the word on wr_data_i, or with the second
  // planted bug (TSP_PLANT_BUG_MEM_WRITE, cosim self-test) data bit 0 inverted
  // before it is encoded, so the stored word is consistently wrong.
  logic [tsp_secded_pkg::DataBits-1:0] wr_word;
`ifdef TSP_PLANT_BUG_MEM_WRITE
  assign wr_word = wr_data_i ^ tsp_secded_pkg::DataBits'(1);
`else
  assign wr_word = wr_data_i;
`endif

  function automatic logic [BankW-1:0] bank_of(logic [AddrW-1:0] a);
    bank_of = BankW'(a % AddrW'(Banks));
  endfunction
  function automatic logic [RowW-1:0] row_of(logic [AddrW-1:0] a);
    row_of = RowW'(a / AddrW'(Banks));
  endfunction

  // Encoders of the write port and the backdoor.
  logic [tsp_secded_pkg::CheckBits-1:0] wr_check, bd_check;
  tsp_secded_enc u_enc_wr (.data_i(wr_word), .check_o(wr_check));
  tsp_secded_enc u_enc_bd (.data_i(bd_data_i), .check_o(bd_check));

  assign conflict_o = !bd_en_i && rd_en_i && wr_en_i && bank_of(rd_addr_i) == bank_of(wr_addr_i);

  // The arrays: codeword = {check, data}, so codeword bit i is the model's bit i.
  // Not in toggle coverage (docs/coverage.md): a bit of stored data is not
  // logic, and counting 1.1 Mbit per word store took 15 GB on the tsp1 smoke.
  /* verilator coverage_off */
  logic [CodeBits-1:0] mem_q [Banks][Rows];
  /* verilator coverage_on */

  always_ff @(posedge clk_i) begin
    if (bd_en_i) begin
      if (bd_flip_i) begin
        mem_q[bank_of(bd_addr_i)][row_of(bd_addr_i)][bd_bit_i] <=
            !mem_q[bank_of(bd_addr_i)][row_of(bd_addr_i)][bd_bit_i];
      end else begin
        mem_q[bank_of(bd_addr_i)][row_of(bd_addr_i)] <= {bd_check, bd_data_i};
      end
    end else if (wr_en_i) begin
      mem_q[bank_of(wr_addr_i)][row_of(wr_addr_i)] <= {wr_check, wr_word};
    end
  end

  assign arr_we_o   = !bd_en_i && wr_en_i;
  assign arr_bank_o = AddrW'(bank_of(wr_addr_i));
  assign arr_row_o  = AddrW'(row_of(wr_addr_i));
  assign arr_code_o = {wr_check, wr_word};
  assign bd_rd_code_o = mem_q[bank_of(bd_rd_addr_i)][row_of(bd_rd_addr_i)];

  // Read pipeline: stage 0 is the array output register, the decoder sits
  // after the last stage.
  logic [CodeBits-1:0] code_q [Stages];
  logic [Stages-1:0]   valid_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      valid_q <= '0;
      for (int unsigned s = 0; s < Stages; s++) code_q[s] <= '0;
    end else if (!bd_en_i) begin
      valid_q[0] <= rd_en_i;
      if (rd_en_i) code_q[0] <= mem_q[bank_of(rd_addr_i)][row_of(rd_addr_i)];
      for (int unsigned s = 1; s < Stages; s++) begin
        valid_q[s] <= valid_q[s-1];
        code_q[s]  <= code_q[s-1];
      end
    end
  end

  logic [tsp_secded_pkg::CheckBits-1:0] check_fixed;
  tsp_secded_dec u_dec (
    .data_i         (code_q[Stages-1][tsp_secded_pkg::DataBits-1:0]),
    .check_i        (code_q[Stages-1][CodeBits-1:tsp_secded_pkg::DataBits]),
    .data_o         (rd_data_o),
    .check_o        (check_fixed),
    .corrected_o    (rd_corrected_o),
    .uncorrectable_o(rd_uncorrectable_o)
  );
  assign rd_valid_o = valid_q[Stages-1];

  logic [31:0] corrected_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) corrected_q <= '0;
    else if (!bd_en_i && rd_valid_o && rd_corrected_o) corrected_q <= corrected_q + 32'd1;
  end
  assign corrected_count_o = corrected_q;

  logic unused_check;
  assign unused_check = ^check_fixed;
endmodule
