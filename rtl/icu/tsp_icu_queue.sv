// One instruction queue's sequencer (ICU): the queue's instruction memory, its
// program counter and the issue rules of docs/timing.md. In order, at most one
// instruction starts a slot per cycle and occupies the queue for its duration
// (tsp_isa_pkg::op_duration: NOP n, RDESKEW n, ...); REPEAT n,d,s re-issues the
// previous instruction n times, d cycles apart, its strided field advanced by
// k*s on the k-th repetition, the first in REPEAT's own slot; SYNC parks the
// queue until release_i; NOTIFY pulses notify_o; DESKEW waits for the next
// multiple of hac_period_i; IFETCH and CONFIG only take their slot.
//
// Time: the first cycle with en_i high is chip cycle 0. The outputs of a cycle
// are combinational from the state and release_i; state advances on the clock
// edge that ends the cycle. Two issue ports, because REPEAT's slot issues both
// the REPEAT itself (icu_*) and its first repetition (unit_*), as the model
// reports them (model::Observer::on_issue).
module tsp_icu_queue
#(
  parameter int unsigned IMemAddrBits = 14
) (
  input  logic                    clk_i,
  input  logic                    rst_ni,
  // Program load, with en_i low: word `load_addr_i`; the program is words
  // 0..load_addr_i of the last write (write them in order).
  input  logic                    load_i,
  input  logic [IMemAddrBits-1:0] load_addr_i,
  input  logic [tsp_isa_pkg::WordBits-1:0]     load_word_i,
  input  logic [31:0]             hac_period_i,  // hardware-aligned counter period (cycles)
  input  logic                    en_i,          // the queue runs; low: it holds
  input  logic                    release_i,     // a NOTIFY issued in the previous cycle
  // Unit instructions (repetitions carry their advanced strided field).
  output logic                    unit_valid_o,
  output logic [IMemAddrBits-1:0] unit_index_o,
  output logic [tsp_isa_pkg::WordBits-1:0]     unit_word_o,
  // ICU instructions (NOP, REPEAT, SYNC, NOTIFY, IFETCH, CONFIG).
  output logic                    icu_valid_o,
  output logic [IMemAddrBits-1:0] icu_index_o,
  output logic [tsp_isa_pkg::WordBits-1:0]     icu_word_o,
  output logic                    notify_o,
  // Nothing left to issue and no slot occupied (parked on a last SYNC counts as done).
  output logic                    done_o
);
  localparam int unsigned PcBits = IMemAddrBits + 1;

  // Not in toggle coverage: stored instruction words are not logic (docs/coverage.md).
  /* verilator coverage_off */
  logic [tsp_isa_pkg::WordBits-1:0] imem_q[2**IMemAddrBits];
  /* verilator coverage_on */
  logic [PcBits-1:0] len_q, pc_q, pc_d;
  logic [tsp_isa_pkg::DurationBits-1:0] wait_q, wait_d;  // cycles left in the current slot after this one
  logic parked_q, parked_d;
  logic [31:0] hac_q, hac_d;  // chip cycle modulo hac_period_i
  // The REPEAT in progress: repetitions left, their interval and stride, the
  // repeated word and index, and the offset of the next repetition (k*s).
  logic [tsp_isa_pkg::RepeatCountWidth-1:0] rep_left_q, rep_left_d;
  logic [tsp_isa_pkg::RepeatIntervalWidth-1:0] rep_interval_q, rep_interval_d;
  logic [tsp_isa_pkg::RepeatStrideWidth-1:0] rep_stride_q, rep_stride_d;
  logic [tsp_isa_pkg::WordBits-1:0] rep_word_q, rep_word_d, rep_offset_q, rep_offset_d;
  logic [IMemAddrBits-1:0] rep_index_q, rep_index_d;

  logic [tsp_isa_pkg::WordBits-1:0] instr, prev;
  logic [tsp_isa_pkg::OpcodeBits-1:0] op;
  logic [IMemAddrBits-1:0] pc_index, prev_index;
  logic [tsp_isa_pkg::RepeatCountWidth-1:0] count;
  logic [tsp_isa_pkg::RepeatIntervalWidth-1:0] interval;
  logic [tsp_isa_pkg::RepeatStrideWidth-1:0] stride;

  assign pc_index   = pc_q[IMemAddrBits-1:0];
  assign prev_index = pc_index - 1'b1;
  assign instr      = imem_q[pc_index];
  assign prev       = imem_q[prev_index];
  assign op         = instr[tsp_isa_pkg::OpcodeLsb+:tsp_isa_pkg::OpcodeBits];
  assign count      = instr[tsp_isa_pkg::RepeatCountLsb+:tsp_isa_pkg::RepeatCountWidth];
  assign interval   = instr[tsp_isa_pkg::RepeatIntervalLsb+:tsp_isa_pkg::RepeatIntervalWidth];
  assign stride     = instr[tsp_isa_pkg::RepeatStrideLsb+:tsp_isa_pkg::RepeatStrideWidth];

  // `word` with its strided field (if its op has one) advanced by `offset`,
  // modulo the field's width: a legal program keeps the sum in range.
  function automatic logic [tsp_isa_pkg::WordBits-1:0] advance(logic [tsp_isa_pkg::WordBits-1:0] word, logic [tsp_isa_pkg::WordBits-1:0] offset);
    logic [tsp_isa_pkg::OpcodeBits-1:0] o;
    logic [tsp_isa_pkg::WordBits-1:0] mask, field;
    o     = word[tsp_isa_pkg::OpcodeLsb+:tsp_isa_pkg::OpcodeBits];
    mask  = ((tsp_isa_pkg::WordBits'(1) << tsp_isa_pkg::op_strided_width(o)) - 1'b1) << tsp_isa_pkg::op_strided_lsb(o);
    field = ((word >> tsp_isa_pkg::op_strided_lsb(o)) + offset) << tsp_isa_pkg::op_strided_lsb(o);
    advance = tsp_isa_pkg::op_has_strided(o) ? (word & ~mask) | (field & mask) : word;
  endfunction

  function automatic logic [tsp_isa_pkg::WordBits-1:0] sext_stride(logic [tsp_isa_pkg::RepeatStrideWidth-1:0] s);
    sext_stride = tsp_isa_pkg::WordBits'(signed'(s));
  endfunction

  always_comb begin
    pc_d           = pc_q;
    wait_d         = wait_q;
    parked_d       = parked_q;
    hac_d          = hac_q;
    rep_left_d     = rep_left_q;
    rep_interval_d = rep_interval_q;
    rep_stride_d   = rep_stride_q;
    rep_word_d     = rep_word_q;
    rep_offset_d   = rep_offset_q;
    rep_index_d    = rep_index_q;
    unit_valid_o   = 1'b0;
    unit_index_o   = '0;
    unit_word_o    = '0;
    icu_valid_o    = 1'b0;
    icu_index_o    = '0;
    icu_word_o     = '0;
    notify_o       = 1'b0;
    if (en_i) begin
      hac_d = (hac_q + 1 == hac_period_i) ? '0 : hac_q + 1;
      if (wait_q != '0) begin
        wait_d = wait_q - 1'b1;
      end else if (!parked_q || release_i) begin
        parked_d = 1'b0;
        if (rep_left_q != '0) begin
          // Repetition k >= 2 of the REPEAT in progress.
          unit_valid_o = 1'b1;
          unit_index_o = rep_index_q;
          unit_word_o  = advance(rep_word_q, rep_offset_q);
          rep_offset_d = rep_offset_q + sext_stride(rep_stride_q);
          rep_left_d   = rep_left_q - 1'b1;
          wait_d       = tsp_isa_pkg::DurationBits'(rep_interval_q) - 1'b1;
        end else if (pc_q < len_q) begin
          pc_d = pc_q + 1'b1;
          if (tsp_isa_pkg::op_unit(op) != tsp_isa_pkg::UnitIcu) begin
            unit_valid_o = 1'b1;
            unit_index_o = pc_index;
            unit_word_o  = instr;
            // DESKEW ends at the next multiple of the period strictly after now.
            if (op == tsp_isa_pkg::OpDeskew) wait_d = tsp_isa_pkg::DurationBits'(hac_period_i - hac_q - 1);
            else wait_d = tsp_isa_pkg::op_duration(op, instr[tsp_isa_pkg::DurationOperandBits-1:0]) - 1'b1;
          end else begin
            icu_valid_o = 1'b1;
            icu_index_o = pc_index;
            icu_word_o  = instr;
            wait_d      = tsp_isa_pkg::op_duration(op, instr[tsp_isa_pkg::DurationOperandBits-1:0]) - 1'b1;
            unique case (op)
              tsp_isa_pkg::OpRepeat: begin
                // Repetition 1 issues in REPEAT's own slot; each one occupies `interval`.
                unit_valid_o   = 1'b1;
                unit_index_o   = prev_index;
                rep_word_d     = prev;
                rep_index_d    = prev_index;
                rep_stride_d   = stride;
                rep_interval_d = interval;
                rep_left_d     = count - 1'b1;
                wait_d         = tsp_isa_pkg::DurationBits'(interval) - 1'b1;
`ifdef TSP_PLANT_BUG_ICU
                // Planted bug: the k-th repetition advances by (k-1)*s.
                unit_word_o  = prev;
                rep_offset_d = sext_stride(stride);
`else
                unit_word_o  = advance(prev, sext_stride(stride));
                rep_offset_d = sext_stride(stride) + sext_stride(stride);
`endif
              end
              tsp_isa_pkg::OpSync:   parked_d = 1'b1;
              tsp_isa_pkg::OpNotify: notify_o = 1'b1;
              default:  ;
            endcase
          end
        end
      end
    end
  end

  assign done_o = pc_q >= len_q && rep_left_q == '0 && wait_q == '0;

  always_ff @(posedge clk_i) begin
    if (load_i) imem_q[load_addr_i] <= load_word_i;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      len_q          <= '0;
      pc_q           <= '0;
      wait_q         <= '0;
      parked_q       <= 1'b0;
      hac_q          <= '0;
      rep_left_q     <= '0;
      rep_interval_q <= '0;
      rep_stride_q   <= '0;
      rep_word_q     <= '0;
      rep_offset_q   <= '0;
      rep_index_q    <= '0;
    end else begin
      if (load_i) len_q <= PcBits'(load_addr_i) + 1'b1;
      pc_q           <= pc_d;
      wait_q         <= wait_d;
      parked_q       <= parked_d;
      hac_q          <= hac_d;
      rep_left_q     <= rep_left_d;
      rep_interval_q <= rep_interval_d;
      rep_stride_q   <= rep_stride_d;
      rep_word_q     <= rep_word_d;
      rep_offset_q   <= rep_offset_d;
      rep_index_q    <= rep_index_d;
    end
  end
endmodule
