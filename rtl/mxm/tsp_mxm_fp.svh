// The MXM's float arithmetic as synthesizable functions, bit-exact to
// docs/numerics.md §2, §5 and §7 (C++ reference: common/numerics/mxm.hpp):
//   mxm_fmul  an f16 or bf16 activation times an f16 or bf16 weight, rounded
//             to f32: the 22-bit product of the significands is exact in
//             f32's 24 bits, so the only rounding is to zero (tininess before
//             rounding: a product below 2^-126 flushes) or to infinity.
//   mxm_fadd  one f32 ADD: inputs flushed, the smaller operand aligned with a
//             guard, a round and a sticky bit (jammed: the sticky bit is the OR
//             of everything at or below its place, so a subtraction that then
//             shifts left by one still rounds right), RNE, FTZ on the
//             normalised value before rounding, overflow to infinity,
//             canonical NaN; x + (-x) = +0, (-0) + (-0) = -0.
//   mxm_i2f   i32 -> f32 (an ACC as f32 of an integer slot), RNE.
//   mxm_f2i   f32 -> i32 (an ACC as i32 of a float slot): NaN -> 0, RNE to an
//             integer, saturated.
// Written for the subset Yosys 0.23 reads as well as Verilator: no `return`
// (results are assigned to the function's name), no struct locals (unpacked
// operands are concatenations), every temporary assigned on every path.
// `include'd inside the modules that use it (tsp_mxm_tile, tsp_mxm_acc), as
// rtl/c2c/tsp_gf.svh is. TSP_PLANT_BUG_MXM plants, for the checker's
// self-test, ties rounded away from zero in mxm_fadd.

  // An f16 (bf16 = 0) or bf16 lane unpacked: {nan, inf, zero, sign, exp, sig},
  // 25 bits; exp is unbiased (10 bits, two's complement), sig is 1.f with the
  // fraction left-aligned in 10 bits (bf16's 7 bits padded with zeros).
  function automatic logic [24:0] mxm_unpack16(logic [15:0] x, logic bf16);
    logic [7:0]        e;
    logic [9:0]        f;
    logic              ones;
    logic signed [9:0] ue;
    if (bf16) begin
      e    = x[14:7];
      f    = {x[6:0], 3'b000};
      ones = &x[14:7];
      ue   = $signed({2'b00, e}) - 10'sd127;
    end else begin
      e    = {3'b000, x[14:10]};
      f    = x[9:0];
      ones = &x[14:10];
      ue   = $signed({2'b00, e}) - 10'sd15;
    end
    mxm_unpack16 = {ones && f != 10'h0, ones && f == 10'h0, e == 8'h0, x[15], ue, 1'b1, f};
  endfunction

  function automatic logic [31:0] mxm_fmul(logic [15:0] a, logic a_bf16, logic [15:0] w, logic w_bf16);
    logic               an, ai, az, as;
    logic               wn, wi, wz, ws;
    logic signed [9:0]  ae, we;
    logic [10:0]        am, wm;
    logic [21:0]        p;
    logic signed [11:0] e;  // the product's biased f32 exponent
    logic [22:0]        f;
    logic               s;
    {an, ai, az, as, ae, am} = mxm_unpack16(a, a_bf16);
    {wn, wi, wz, ws, we, wm} = mxm_unpack16(w, w_bf16);
    s = as ^ ws;
    p = {11'h0, am} * {11'h0, wm};
    if (p[21]) begin
      e = {{2{ae[9]}}, ae} + {{2{we[9]}}, we} + 12'sd128;
      f = {p[20:0], 2'b00};
    end else begin
      e = {{2{ae[9]}}, ae} + {{2{we[9]}}, we} + 12'sd127;
      f = {p[19:0], 3'b000};
    end
    if (an || wn || (ai && wz) || (az && wi)) mxm_fmul = 32'h7FC0_0000;
    else if (ai || wi) mxm_fmul = {s, 8'hFF, 23'h0};
    else if (az || wz || e < 12'sd1) mxm_fmul = {s, 31'h0};
    else if (e > 12'sd254) mxm_fmul = {s, 8'hFF, 23'h0};
    else mxm_fmul = {s, e[7:0], f};
  endfunction

  // Leading zeros of a 27-bit value (27 for zero).
  function automatic logic [4:0] mxm_lzc27(logic [26:0] x);
    logic done;
    mxm_lzc27 = 5'd27;
    done      = 1'b0;
    for (int i = 26; i >= 0; i--) begin
      if (!done && x[i]) begin
        mxm_lzc27 = 5'(26 - i);
        done      = 1'b1;
      end
    end
  endfunction

  function automatic logic [31:0] mxm_fadd(logic [31:0] a, logic [31:0] b);
    logic              an, ai, az, bn, bi, bz;
    logic [31:0]       x, y;  // x: the operand of larger magnitude
    logic [7:0]        d;
    logic [26:0]       mx, my, sh;
    logic [27:0]       r;
    logic [26:0]       n;     // normalised: leading one at bit 26, then guard, round, sticky
    logic [4:0]        lz;
    logic signed [9:0] e;
    logic [24:0]       m;
    logic              up;
    logic signed [9:0] e2;
    logic              tie_away;
`ifdef TSP_PLANT_BUG_MXM
    tie_away = 1'b1;  // planted: ties round away from zero
`else
    tie_away = 1'b0;
`endif
    an = &a[30:23] && a[22:0] != 23'h0;
    ai = &a[30:23] && a[22:0] == 23'h0;
    az = a[30:23] == 8'h0;
    bn = &b[30:23] && b[22:0] != 23'h0;
    bi = &b[30:23] && b[22:0] == 23'h0;
    bz = b[30:23] == 8'h0;
    if (b[30:0] > a[30:0]) begin
      x = b;
      y = a;
    end else begin
      x = a;
      y = b;
    end
    d  = x[30:23] - y[30:23];
    mx = {1'b1, x[22:0], 3'b000};
    my = {1'b1, y[22:0], 3'b000};
    if (d >= 8'd27) sh = 27'h1;
    else sh = (my >> d) | 27'((my & ((27'h1 << d) - 27'h1)) != 27'h0);
    r = (x[31] == y[31]) ? {1'b0, mx} + {1'b0, sh} : {1'b0, mx} - {1'b0, sh};
    lz = mxm_lzc27(r[26:0]);
    if (r[27]) begin
      n = {r[27:2], r[1] | r[0]};
      e = $signed({2'b00, x[30:23]}) + 10'sd1;
    end else begin
      n = r[26:0] << lz;
      e = $signed({2'b00, x[30:23]}) - $signed({5'h0, lz});
    end
    up = n[2] && (n[1] || n[0] || n[3] || tie_away);
    m  = {1'b0, n[26:3]} + 25'(up);
    e2 = m[24] ? e + 10'sd1 : e;
    if (an || bn || (ai && bi && a[31] != b[31])) mxm_fadd = 32'h7FC0_0000;
    else if (ai) mxm_fadd = a;
    else if (bi) mxm_fadd = b;
    else if (az && bz) mxm_fadd = {a[31] & b[31], 31'h0};
    else if (az) mxm_fadd = b;
    else if (bz) mxm_fadd = a;
    else if (r == 28'h0) mxm_fadd = 32'h0;  // exact cancellation: +0
    else if (e < 10'sd1) mxm_fadd = {x[31], 31'h0};
    else if (e2 > 10'sd254) mxm_fadd = {x[31], 8'hFF, 23'h0};
    else mxm_fadd = {x[31], e2[7:0], m[24] ? m[23:1] : m[22:0]};
  endfunction

  // Leading zeros of a 32-bit value (32 for zero).
  function automatic logic [5:0] mxm_lzc32(logic [31:0] x);
    logic done;
    mxm_lzc32 = 6'd32;
    done      = 1'b0;
    for (int i = 31; i >= 0; i--) begin
      if (!done && x[i]) begin
        mxm_lzc32 = 6'(31 - i);
        done      = 1'b1;
      end
    end
  endfunction

  function automatic logic [31:0] mxm_i2f(logic [31:0] v);
    logic [31:0] mag, n;
    logic [5:0]  lz;
    logic        up;
    logic [24:0] m;
    logic [7:0]  e;
    mag = v[31] ? 32'h0 - v : v;
    lz  = mxm_lzc32(mag);
    n   = mag << lz;
    up  = n[7] && (n[6:0] != 7'h0 || n[8]);
    m   = {1'b0, n[31:8]} + 25'(up);
    e   = 8'd158 - {2'b00, lz} + 8'(m[24]);
    if (v == 32'h0) mxm_i2f = 32'h0;
    else mxm_i2f = {v[31], e, m[24] ? m[23:1] : m[22:0]};
  endfunction

  function automatic logic [31:0] mxm_f2i(logic [31:0] f);
    logic signed [9:0] e;   // unbiased exponent
    logic [63:0]       fx;  // |f| * 2^32, for -1 <= e <= 30
    logic [31:0]       i;
    logic              up;
    e  = $signed({2'b00, f[30:23]}) - 10'sd127;
    fx = {40'h0, 1'b1, f[22:0]} << (e + 10'sd9);
    up = fx[31] && (fx[30:0] != 31'h0 || fx[32]);
    i  = fx[63:32] + 32'(up);
    if (&f[30:23] && f[22:0] != 23'h0) mxm_f2i = 32'h0;  // NaN
    else if (e >= 10'sd31) mxm_f2i = f[31] ? 32'h8000_0000 : 32'h7FFF_FFFF;
    else if (e < -10'sd1) mxm_f2i = 32'h0;  // |f| < 0.5, zeros and subnormals
    else mxm_f2i = f[31] ? 32'h0 - i : i;
  endfunction
