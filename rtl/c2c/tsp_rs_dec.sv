// Reed-Solomon decoder of a chip-to-chip link frame (docs/links.md, "FEC
// RTL"): the code of tsp_rs_enc, RS(FecN, FecK) over GF(2^FecSymbolBits)
// shortened to DataSymbols message symbols, FrameSymbols = DataSymbols + Parity
// symbols on the wire. Corrects up to T = FecT symbol errors.
//
// Interface, one symbol per cycle:
//   in_valid_i/in_sym_i/in_ready_o  the frame in wire order; the first symbol
//                                   accepted after reset or after the previous
//                                   frame's output is the frame's first.
//                                   in_ready_o is high only while a frame is
//                                   being received (the decoder holds one frame).
//   out_*                           the DataSymbols message symbols, corrected,
//                                   one per cycle without gaps; out_first_o and
//                                   out_last_o mark the first and the last.
//                                   With every symbol, the frame's verdict:
//                                   clean        both flags low, count 0;
//                                   corrected    out_corrected_o, out_count_o =
//                                                symbols corrected (parity too);
//                                   uncorrectable out_uncorrectable_o, count 0,
//                                                the symbols as received.
// Uncorrectable: the error locator's length exceeds T, or its degree differs
// from its length or from the number of its roots among the FrameSymbols
// positions of the shortened frame. (The C++ codec's further checks, a zero
// error value and the found pattern's syndromes, cannot fail once these pass;
// its pad-bit rule for the mini frame is left to the C++ side.)
//
// Steps and cycles (fixed, whatever the errors):
//   receive   FrameSymbols accepting cycles: Parity syndromes by Horner (constant
//             multipliers by alpha^(FirstRoot+j)), message into the buffer;
//   BM        1 + 2 * Parity: inversionless Berlekamp-Massey, one iteration in two
//             cycles (discrepancy, update) with T+1 general multipliers each;
//   omega     1 + T: the evaluator Omega = S * Lambda mod x^Parity, one
//             coefficient a cycle on the discrepancy multipliers;
//   Chien     1 + FrameSymbols: one position a cycle in wire order, with Forney's
//             error value (one inverse, one multiplier) for message positions;
//   verdict   1;
//   output    DataSymbols cycles.
// Latency: the first message symbol is on out_* DecLatency =
// 2 Parity + T + FrameSymbols + 6 cycles (tsp1 367, mini 137) after the
// cycle that accepted the frame's last symbol; in_ready_o is high again in the
// cycle out_last_o is. Frames back to back: one every
// FrameSymbols + DecLatency + DataSymbols - 2 cycles.
module tsp_rs_dec
#(
  parameter int unsigned DataSymbols = tsp_cfg_tsp1_pkg::C2cDataSymbols,
  localparam int unsigned FrameSymbols = DataSymbols + (tsp_isa_pkg::FecN - tsp_isa_pkg::FecK),
  localparam int unsigned CountW       = $clog2(tsp_isa_pkg::FecT + 1)
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
  output logic                           out_corrected_o,
  output logic                           out_uncorrectable_o,
  output logic [CountW-1:0]              out_count_o
);
  `include "tsp_gf_params.svh"
  `include "tsp_gf.svh"

  localparam int unsigned T     = tsp_isa_pkg::FecT;  // symbols corrected
  localparam int unsigned PosW  = $clog2(FrameSymbols);
  localparam int unsigned BufW  = $clog2(DataSymbols);
  localparam int unsigned RW    = $clog2(Parity);
  localparam int unsigned LenW  = $clog2(Parity + 1);
  localparam int unsigned RootW = $clog2(T + 2);  // roots counted up to T + 1
  localparam int unsigned IdxW  = $clog2(T);
`ifdef TSP_PLANT_BUG_RS
  // Planted bug for the self-test: the Chien search starts one position off.
  localparam int unsigned ChienTop = FrameSymbols;
`else
  localparam int unsigned ChienTop = FrameSymbols - 1;  // exponent of wire position 0
`endif

  // Constant multipliers, entry k at [k*SymBits +: SymBits]: the syndromes'
  // alpha^(FirstRoot+k); the Chien steps alpha^k (locator) and alpha^(k+FirstRoot)
  // (evaluator), their starts alpha^-(k ChienTop) and alpha^-((k+FirstRoot) ChienTop).
  localparam logic [(Parity+1)*SymBits-1:0] SynMul     = gf_alpha_series(FirstRoot, 1, 1'b0);
  localparam logic [(Parity+1)*SymBits-1:0] LamStep    = gf_alpha_series(0, 1, 1'b0);
  localparam logic [(Parity+1)*SymBits-1:0] OmStep     = gf_alpha_series(FirstRoot, 1, 1'b0);
  localparam logic [(Parity+1)*SymBits-1:0] LamStart   = gf_alpha_series(0, ChienTop, 1'b1);
  localparam logic [(Parity+1)*SymBits-1:0] OmStart    = gf_alpha_series(FirstRoot, ChienTop, 1'b1);

  typedef enum logic [3:0] {
    StRx, StBmInit, StBmDelta, StBmUpdate, StOmegaInit, StOmega, StChienInit, StChien,
    StVerdict, StOut
  } state_e;

  state_e             state_q;
  logic [PosW-1:0]    pos_q;                 // wire position (receive, Chien) / message symbol (output)
  logic [RW-1:0]      r_q;                   // BM iteration / omega coefficient
  logic [SymBits-1:0] buf_q [DataSymbols];   // the received message
  logic [SymBits-1:0] syn_q [Parity];        // S_j = R(alpha^(FirstRoot+j)); rotates in BM/omega
  logic [SymBits-1:0] win_q [T+1];           // win_q[i] = S_(r-i), 0 for r < i
  logic [SymBits-1:0] lam_q [T+1];           // error locator (times a non-zero constant)
  logic [SymBits-1:0] b_q   [T+1];           // BM correction polynomial
  logic [LenW-1:0]    len_q;                 // BM length L
  logic               over_q;                // L went above T
  logic [SymBits-1:0] gamma_q, delta_q;
  logic [SymBits-1:0] omega_q [T];           // error evaluator
  logic [SymBits-1:0] lt_q [T+1];            // Chien terms lambda_k X^-k
  logic [SymBits-1:0] ot_q [T];              // Forney terms omega_k X^-(k+FirstRoot)
  logic [RootW-1:0]   roots_q;
  logic [PosW-1:0]    fix_pos_q [T];         // corrections of message symbols, in wire order
  logic [SymBits-1:0] fix_val_q [T];
  logic [CountW-1:0]  fixes_q, fix_rd_q;
  logic               unc_q;
  logic [CountW-1:0]  count_q;

  // Discrepancy of BM iteration r, and omega coefficient r: sum lambda_i S_(r-i).
  logic [SymBits-1:0] delta;
  always_comb begin
    delta = '0;
    for (int unsigned i = 0; i <= T; i++) delta = delta ^ gf_mul(lam_q[i], win_q[i]);
  end

  // Chien: Lambda(X^-1), its odd part (X^-1 Lambda'(X^-1)), X^-FirstRoot Omega(X^-1),
  // and Forney's error value e = X^-FirstRoot Omega(X^-1) / (X^-1 Lambda'(X^-1)).
  logic [SymBits-1:0] lam_sum, lam_odd, om_sum, err_val;
  always_comb begin
    lam_sum = '0;
    lam_odd = '0;
    om_sum  = '0;
    for (int unsigned k = 0; k <= T; k++) begin
      lam_sum = lam_sum ^ lt_q[k];
      if (k % 2 == 1) lam_odd = lam_odd ^ lt_q[k];
    end
    for (int unsigned k = 0; k < T; k++) om_sum = om_sum ^ ot_q[k];
    err_val = gf_mul(om_sum, gf_inv(lam_odd));
  end

  // Degree of the locator.
  logic [LenW-1:0] lam_deg;
  always_comb begin
    lam_deg = '0;
    for (int unsigned k = 1; k <= T; k++) begin
      if (lam_q[k] != '0) lam_deg = LenW'(k);
    end
  end

  logic bm_swap;  // BM: the length changes, b takes the old lambda
  assign bm_swap = delta_q != '0 && {len_q, 1'b0} <= (LenW + 1)'(r_q);

  assign in_ready_o = state_q == StRx;

  // The message buffer: written while receiving, read while sending.
  always_ff @(posedge clk_i) begin
    if (state_q == StRx && in_valid_i && pos_q < PosW'(DataSymbols)) buf_q[pos_q[BufW-1:0]] <= in_sym_i;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q  <= StRx;
      pos_q    <= '0;
      r_q      <= '0;
      len_q    <= '0;
      over_q   <= 1'b0;
      gamma_q  <= '0;
      delta_q  <= '0;
      roots_q  <= '0;
      fixes_q  <= '0;
      fix_rd_q <= '0;
      unc_q    <= 1'b0;
      count_q  <= '0;
      for (int unsigned j = 0; j < Parity; j++) syn_q[j] <= '0;
      for (int unsigned k = 0; k <= T; k++) begin
        win_q[k] <= '0;
        lam_q[k] <= '0;
        b_q[k]   <= '0;
        lt_q[k]  <= '0;
      end
      for (int unsigned k = 0; k < T; k++) begin
        omega_q[k]   <= '0;
        ot_q[k]      <= '0;
        fix_pos_q[k] <= '0;
        fix_val_q[k] <= '0;
      end
      out_valid_o         <= 1'b0;
      out_sym_o           <= '0;
      out_first_o         <= 1'b0;
      out_last_o          <= 1'b0;
      out_corrected_o     <= 1'b0;
      out_uncorrectable_o <= 1'b0;
      out_count_o         <= '0;
    end else begin
      out_valid_o <= 1'b0;
      out_first_o <= 1'b0;
      out_last_o  <= 1'b0;
      unique case (state_q)
        StRx: begin
          if (in_valid_i) begin
            // Horner: S_j <- S_j * alpha^(FirstRoot+j) + r_i (from 0 at the first symbol)
            for (int unsigned j = 0; j < Parity; j++) begin
              syn_q[j] <= (pos_q == '0 ? '0 : gf_mul(syn_q[j], SynMul[j*SymBits +: SymBits])) ^ in_sym_i;
            end
            if (pos_q == PosW'(FrameSymbols - 1)) begin
              pos_q   <= '0;
              state_q <= StBmInit;
            end else begin
              pos_q <= pos_q + 1'b1;
            end
          end
        end

        // Rotating syn_q by one each time win_q takes a syndrome keeps syn_q[0]
        // the next one: BM takes S_0 .. S_(Parity-1) (Parity rotations, the
        // last iteration takes none), so omega starts again from S_0.
        StBmInit: begin
          for (int unsigned k = 0; k <= T; k++) begin
            win_q[k] <= k == 0 ? syn_q[0] : '0;
            lam_q[k] <= k == 0 ? SymBits'(1) : '0;
            b_q[k]   <= k == 0 ? SymBits'(1) : '0;
          end
          for (int unsigned j = 0; j < Parity; j++) syn_q[j] <= syn_q[(j+1) % Parity];
          len_q   <= '0;
          over_q  <= 1'b0;
          gamma_q <= SymBits'(1);
          r_q     <= '0;
          state_q <= StBmDelta;
        end

        StBmDelta: begin
          delta_q <= delta;
          state_q <= StBmUpdate;
        end

        // lambda <- gamma lambda - delta x b; on a length change b <- old lambda,
        // gamma <- delta, else b <- x b (terms above x^T would only matter once
        // L > T, which over_q flags).
        StBmUpdate: begin
          lam_q[0] <= gf_mul(gamma_q, lam_q[0]);
          for (int unsigned k = 1; k <= T; k++) lam_q[k] <= gf_mul(gamma_q, lam_q[k]) ^ gf_mul(delta_q, b_q[k-1]);
          if (bm_swap) begin
            for (int unsigned k = 0; k <= T; k++) b_q[k] <= lam_q[k];
            len_q   <= LenW'(r_q) + 1'b1 - len_q;
            gamma_q <= delta_q;
            if (LenW'(r_q) + 1'b1 - len_q > LenW'(T)) over_q <= 1'b1;
          end else begin
            b_q[0] <= '0;
            for (int unsigned k = 1; k <= T; k++) b_q[k] <= b_q[k-1];
          end
          if (r_q == RW'(Parity - 1)) begin
            state_q <= StOmegaInit;
          end else begin
            win_q[0] <= syn_q[0];
            for (int unsigned k = 1; k <= T; k++) win_q[k] <= win_q[k-1];
            for (int unsigned j = 0; j < Parity; j++) syn_q[j] <= syn_q[(j+1) % Parity];
            r_q     <= r_q + 1'b1;
            state_q <= StBmDelta;
          end
        end

        StOmegaInit: begin
          for (int unsigned k = 0; k <= T; k++) win_q[k] <= k == 0 ? syn_q[0] : '0;
          for (int unsigned j = 0; j < Parity; j++) syn_q[j] <= syn_q[(j+1) % Parity];
          r_q     <= '0;
          state_q <= StOmega;
        end

        StOmega: begin
          omega_q[T-1] <= delta;
          for (int unsigned k = 0; k + 1 < T; k++) omega_q[k] <= omega_q[k+1];
          win_q[0] <= syn_q[0];
          for (int unsigned k = 1; k <= T; k++) win_q[k] <= win_q[k-1];
          for (int unsigned j = 0; j < Parity; j++) syn_q[j] <= syn_q[(j+1) % Parity];
          if (r_q == RW'(T - 1)) state_q <= StChienInit;
          r_q <= r_q + 1'b1;
        end

        // Wire position p is X = alpha^(ChienTop - p): the terms start at
        // X = alpha^ChienTop and step by alpha^k.
        StChienInit: begin
          for (int unsigned k = 0; k <= T; k++) lt_q[k] <= gf_mul(lam_q[k], LamStart[k*SymBits +: SymBits]);
          for (int unsigned k = 0; k < T; k++) begin
            ot_q[k] <= gf_mul(omega_q[k], OmStart[k*SymBits +: SymBits]);
          end
          pos_q   <= '0;
          roots_q <= '0;
          fixes_q <= '0;
          state_q <= StChien;
        end

        StChien: begin
          for (int unsigned k = 0; k <= T; k++) lt_q[k] <= gf_mul(lt_q[k], LamStep[k*SymBits +: SymBits]);
          for (int unsigned k = 0; k < T; k++) ot_q[k] <= gf_mul(ot_q[k], OmStep[k*SymBits +: SymBits]);
          if (lam_sum == '0) begin
            if (roots_q <= RootW'(T)) roots_q <= roots_q + 1'b1;
            if (pos_q < PosW'(DataSymbols) && fixes_q < CountW'(T)) begin
              fix_pos_q[fixes_q[IdxW-1:0]] <= pos_q;
              fix_val_q[fixes_q[IdxW-1:0]] <= err_val;
              fixes_q <= fixes_q + 1'b1;
            end
          end
          if (pos_q == PosW'(FrameSymbols - 1)) begin
            pos_q   <= '0;
            state_q <= StVerdict;
          end else begin
            pos_q <= pos_q + 1'b1;
          end
        end

        StVerdict: begin
          unc_q    <= over_q || lam_deg != len_q || RootW'(len_q) != roots_q;
          count_q  <= CountW'(len_q);
          fix_rd_q <= '0;
          state_q  <= StOut;
        end

        StOut: begin
          out_valid_o         <= 1'b1;
          out_first_o         <= pos_q == '0;
          out_last_o          <= pos_q == PosW'(DataSymbols - 1);
          out_corrected_o     <= !unc_q && count_q != '0;
          out_uncorrectable_o <= unc_q;
          out_count_o         <= unc_q ? '0 : count_q;
          out_sym_o           <= buf_q[pos_q[BufW-1:0]];
          if (!unc_q && fix_rd_q < fixes_q && fix_pos_q[fix_rd_q[IdxW-1:0]] == pos_q) begin
            out_sym_o <= buf_q[pos_q[BufW-1:0]] ^ fix_val_q[fix_rd_q[IdxW-1:0]];
            fix_rd_q  <= fix_rd_q + 1'b1;
          end
          if (pos_q == PosW'(DataSymbols - 1)) begin
            pos_q   <= '0;
            state_q <= StRx;
          end else begin
            pos_q <= pos_q + 1'b1;
          end
        end

        default: state_q <= StRx;
      endcase
    end
  end
endmodule
