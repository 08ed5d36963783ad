// Float and integer lane arithmetic of the VXM as synthesizable functions,
// bit-exact to docs/numerics.md §2-§5 (C++ reference: common/numerics/).
// One datapath serves f16, bf16 and f32: operands are unpacked to a sign, an
// unbiased exponent and a 24-bit significand (input flush), the exact result is
// formed with guard bits (add: a sticky bit), and fp_round() rounds it once to
// the destination format: tininess before rounding, RNE, overflow to infinity.
//
// `include'd inside the modules that use it (before tsp_vxm_tr.svh), as
// rtl/c2c/tsp_gf.svh is: Yosys 0.23 lets no package use another package and
// knows neither `import` nor `return`, so the functions assign their result
// to their name and every exit of the old early-return form is an if/else arm.

  typedef enum logic [1:0] {
    FmtF16  = 2'd0,
    FmtBf16 = 2'd1,
    FmtF32  = 2'd2
  } fmt_e;

  function automatic int unsigned frac_bits(fmt_e f);
    unique case (f)
      FmtF16:  frac_bits = 10;
      FmtBf16: frac_bits = 7;
      default: frac_bits = 23;
    endcase
  endfunction

  function automatic int unsigned exp_bits(fmt_e f);
    exp_bits = (f == FmtF16) ? 5 : 8;
  endfunction

  function automatic int signed bias(fmt_e f);
    bias = (f == FmtF16) ? 15 : 127;
  endfunction

  function automatic logic [31:0] sign_bit(fmt_e f);
    sign_bit = 32'h1 << (exp_bits(f) + frac_bits(f));
  endfunction

  function automatic logic [31:0] inf_bits(fmt_e f);
    inf_bits = ((32'h1 << exp_bits(f)) - 32'h1) << frac_bits(f);
  endfunction

  function automatic logic [31:0] canonical_nan(fmt_e f);
    canonical_nan = inf_bits(f) | (32'h1 << (frac_bits(f) - 1));
  endfunction

  function automatic logic is_nan(fmt_e f, logic [31:0] x);
    is_nan = (x & (sign_bit(f) - 32'h1)) > inf_bits(f);
  endfunction

  // Input flush: exponent field 0 reads as the zero of its sign.
  function automatic logic [31:0] flush(fmt_e f, logic [31:0] x);
    flush = ((x & inf_bits(f)) == 32'h0) ? (x & sign_bit(f)) : x;
  endfunction

  // An unpacked float, {nan, inf, zero, sign, exp, sig} (40 bits): exact value
  // (-1)^sign * sig/2^23 * 2^exp when normal; zero also for a flushed
  // subnormal; sig is 1.f, the leading one at bit 23. A vector, not a struct:
  // Yosys 0.23 takes no struct-typed function results or locals.
  function automatic logic [39:0] unpack(fmt_e f, logic [31:0] x);
    logic               nan;
    logic               inf;
    logic               zero;
    logic               sign;
    logic signed [11:0] exp;
    logic [23:0]        sig;
    logic [31:0]        e_field;
    logic [31:0]        frac;
    e_field = (x & inf_bits(f)) >> frac_bits(f);
    frac    = x & ((32'h1 << frac_bits(f)) - 32'h1);
    sign    = (x & sign_bit(f)) != 32'h0;
    zero    = e_field == 32'h0;
    inf     = (x & inf_bits(f)) == inf_bits(f) && frac == 32'h0;
    nan     = (x & inf_bits(f)) == inf_bits(f) && frac != 32'h0;
    exp     = 12'(signed'(e_field)) - 12'(bias(f));
    sig     = 24'({1'b1, 23'(frac << (23 - frac_bits(f)))});
    unpack  = {nan, inf, zero, sign, exp, sig};
  endfunction

  // Leading zeros of a 64-bit value.
  function automatic logic [6:0] lzc64(logic [63:0] x);
    logic [6:0]  n;
    logic [63:0] v;
    n = '0;
    v = x;
    if (v[63:32] == '0) begin n = n + 7'd32; v = v << 32; end
    if (v[63:48] == '0) begin n = n + 7'd16; v = v << 16; end
    if (v[63:56] == '0) begin n = n + 7'd8;  v = v << 8;  end
    if (v[63:60] == '0) begin n = n + 7'd4;  v = v << 4;  end
    if (v[63:62] == '0) begin n = n + 7'd2;  v = v << 2;  end
    if (v[63] == 1'b0) n = n + 7'd1;
    lzc64 = n;
  endfunction

  // Round |v| = sig/2^63 * 2^exp (sig normalized: bit 63 set) to format f
  // (§2 steps 2-4). `half_up` rounds ties away from zero: only the planted bug
  // uses it.
  function automatic logic [31:0] fp_round(fmt_e f, logic sign, logic signed [11:0] exp, logic [63:0] sig,
                                           logic half_up);
    logic [63:0]        kept;
    logic [63:0]        rest;
    logic [63:0]        half;
    logic signed [11:0] e;
    logic               up;
    logic [31:0]        s;
    int unsigned        drop;
    s    = sign ? sign_bit(f) : 32'h0;
    drop = 63 - frac_bits(f);
    kept = sig >> drop;
    rest = sig & ((64'h1 << drop) - 64'h1);
    half = 64'h1 << (drop - 1);
    up   = rest > half || (rest == half && (kept[0] || half_up));
    kept = kept + 64'(up);
    e    = exp;
    if ((kept >> (frac_bits(f) + 1)) != 64'h0) begin
      kept = 64'h0;
      e    = e + 12'sd1;
    end
    if (exp < 12'sd1 - 12'(bias(f))) fp_round = s;
    else if (e > 12'(bias(f))) fp_round = s | inf_bits(f);
    else fp_round = s | (32'(12'(e + 12'(bias(f)))) << frac_bits(f)) | (32'(kept) & ((32'h1 << frac_bits(f)) - 32'h1));
  endfunction

  // ADD (sub = 1: SUB). Exact sum with 39 guard bits below the larger
  // significand and a sticky bit for anything shifted out further.
  function automatic logic [31:0] fp_add(fmt_e f, logic [31:0] a, logic [31:0] b, logic sub);
    logic        xnan, xinf, xzero, xsign;
    logic signed [11:0] xexp;
    logic [23:0] xsig;
    logic        ynan, yinf, yzero, ysign;
    logic signed [11:0] yexp;
    logic [23:0] ysig;
    logic        swap;
    logic        hs;
    logic signed [11:0] he;
    logic [63:0] bm;
    logic [63:0] sm;
    logic [63:0] sh;
    logic [63:0] r;
    logic [11:0] d;
    logic [6:0]  lz;
    logic        half_up;
    {xnan, xinf, xzero, xsign, xexp, xsig} = unpack(f, a);
    {ynan, yinf, yzero, ysign, yexp, ysig} = unpack(f, b);
    ysign = ysign ^ sub;
    half_up = 1'b0;
`ifdef TSP_PLANT_BUG_VXM
    // Planted bug for the cosim self-test: f16 ADD/SUB round ties up, not to even.
    half_up = f == FmtF16;
`endif
    // hi: the operand of larger magnitude; its sign is the result's.
    swap = !(xexp > yexp || (xexp == yexp && xsig >= ysig));
    hs = swap ? ysign : xsign;
    he = swap ? yexp : xexp;
    d  = swap ? 12'(yexp - xexp) : 12'(xexp - yexp);
    bm = {1'b0, swap ? ysig : xsig, 39'h0};
    sm = {1'b0, swap ? xsig : ysig, 39'h0};
    sh = sm >> d;
    sh[0] = sh[0] | ((sh << d) != sm);
    r = (xsign == ysign) ? bm + sh : bm - sh;
    lz = lzc64(r);
    if (xnan || ynan || (xinf && yinf && xsign != ysign)) fp_add = canonical_nan(f);
    else if (xinf) fp_add = (xsign ? sign_bit(f) : 32'h0) | inf_bits(f);
    else if (yinf) fp_add = (ysign ? sign_bit(f) : 32'h0) | inf_bits(f);
    else if (xzero && yzero) fp_add = (xsign && ysign) ? sign_bit(f) : 32'h0;
    else if (xzero) fp_add = fp_round(f, ysign, yexp, {ysig, 40'h0}, 1'b0);
    else if (yzero) fp_add = fp_round(f, xsign, xexp, {xsig, 40'h0}, 1'b0);
    else if (r == 64'h0) fp_add = 32'h0;  // exact cancellation: +0
    else fp_add = fp_round(f, hs, he + 12'sd1 - 12'(lz), r << lz, half_up);
  endfunction

  // MUL: the 48-bit product of the significands is exact.
  function automatic logic [31:0] fp_mul(fmt_e f, logic [31:0] a, logic [31:0] b);
    logic        xnan, xinf, xzero, xsign;
    logic signed [11:0] xexp;
    logic [23:0] xsig;
    logic        ynan, yinf, yzero, ysign;
    logic signed [11:0] yexp;
    logic [23:0] ysig;
    logic [63:0] p;
    logic        s;
    {xnan, xinf, xzero, xsign, xexp, xsig} = unpack(f, a);
    {ynan, yinf, yzero, ysign, yexp, ysig} = unpack(f, b);
    s = xsign ^ ysign;
    p = {48'(xsig) * 48'(ysig), 16'h0};
    if (xnan || ynan || (xinf && yzero) || (xzero && yinf)) fp_mul = canonical_nan(f);
    else if (xinf || yinf) fp_mul = (s ? sign_bit(f) : 32'h0) | inf_bits(f);
    else if (xzero || yzero) fp_mul = s ? sign_bit(f) : 32'h0;
    else if (p[63]) fp_mul = fp_round(f, s, xexp + yexp + 12'sd1, p, 1'b0);
    else fp_mul = fp_round(f, s, xexp + yexp, p << 1, 1'b0);
  endfunction

  // IEEE ordered compares after the flush: NaN is unordered, -0 == +0.
  function automatic logic fp_lt(fmt_e f, logic [31:0] a, logic [31:0] b, logic or_equal);
    logic [31:0] x;
    logic [31:0] y;
    logic [31:0] mag;
    logic [31:0] mx;
    logic [31:0] my;
    logic        sx;
    logic        sy;
    x   = flush(f, a);
    y   = flush(f, b);
    mag = sign_bit(f) - 32'h1;
    mx  = x & mag;
    my  = y & mag;
    sx  = (x & sign_bit(f)) != 32'h0 && mx != 32'h0;
    sy  = (y & sign_bit(f)) != 32'h0 && my != 32'h0;
    if (is_nan(f, a) || is_nan(f, b)) fp_lt = 1'b0;
    else if (mx == my && sx == sy) fp_lt = or_equal;
    else if (sx != sy) fp_lt = sx;
    else fp_lt = sx ? mx > my : mx < my;
  endfunction

  function automatic logic fp_eq(fmt_e f, logic [31:0] a, logic [31:0] b);
    fp_eq = fp_lt(f, a, b, 1'b1) && !fp_lt(f, a, b, 1'b0);
  endfunction

  // MIN / MAX: canonical NaN for a NaN input; equal values (±0 too) give
  // a | b (MIN, -0 wins) or a & b (MAX, +0 wins) of the flushed bits.
  function automatic logic [31:0] fp_minmax(fmt_e f, logic [31:0] a, logic [31:0] b, logic max);
    logic [31:0] x;
    logic [31:0] y;
    x = flush(f, a);
    y = flush(f, b);
    if (is_nan(f, a) || is_nan(f, b)) fp_minmax = canonical_nan(f);
    else if (fp_eq(f, x, y)) fp_minmax = max ? (x & y) : (x | y);
    else fp_minmax = (fp_lt(f, x, y, 1'b0) ^ max) ? x : y;
  endfunction

  // int -> float: an exact integer (|v| <= 2^31) rounded to the format.
  function automatic logic [31:0] int_to_fp(fmt_e f, logic signed [33:0] v);
    logic signed [33:0] av;
    logic [63:0] m;
    logic [6:0]  lz;
    av = v < 0 ? -v : v;
    m  = 64'(av);
    lz = lzc64(m);
    if (v == 34'sd0) int_to_fp = 32'h0;
    else int_to_fp = fp_round(f, v < 0, 12'sd63 - 12'(lz), m << lz, 1'b0);
  endfunction

  // float -> integer value, rounded to nearest even (NaN -> 0); magnitudes
  // beyond 2^33 are clamped there (every destination saturates below it).
  function automatic logic signed [35:0] fp_to_int(fmt_e f, logic [31:0] a);
    logic        xnan, xinf, xzero, xsign;
    logic signed [11:0] xexp;
    logic [23:0] xsig;
    logic [63:0] fx;  // |value| * 2^30
    logic [35:0] m;
    logic [29:0] rest;
    {xnan, xinf, xzero, xsign, xexp, xsig} = unpack(f, a);
    fx   = 64'(xsig) << (xexp + 12'sd7);
    m    = 36'(fx >> 30);
    rest = fx[29:0];
    if (rest > 30'h2000_0000 || (rest == 30'h2000_0000 && m[0])) m = m + 36'h1;
    if (xinf || xexp > 12'sd32) m = 36'h2_0000_0000;
    if (xnan || xzero || xexp < -12'sd1) fp_to_int = 36'sd0;
    else fp_to_int = xsign ? -signed'(m) : signed'(m);
  endfunction

  // float -> float (§5): NaN -> canonical NaN of `t`, else the flushed value
  // rounded to `t` (widening is exact).
  function automatic logic [31:0] fp_convert(fmt_e t, fmt_e f, logic [31:0] a);
    logic        xnan, xinf, xzero, xsign;
    logic signed [11:0] xexp;
    logic [23:0] xsig;
    {xnan, xinf, xzero, xsign, xexp, xsig} = unpack(f, a);
    if (xnan) fp_convert = canonical_nan(t);
    else if (xinf) fp_convert = (xsign ? sign_bit(t) : 32'h0) | inf_bits(t);
    else if (xzero) fp_convert = xsign ? sign_bit(t) : 32'h0;
    else fp_convert = fp_round(t, xsign, xexp, {xsig, 40'h0}, 1'b0);
  endfunction

  // Float format <-> element type code.
  function automatic fmt_e fmt_of(logic [2:0] dtype);
    unique case (dtype)
      tsp_isa_pkg::DtF16:  fmt_of = FmtF16;
      tsp_isa_pkg::DtBf16: fmt_of = FmtBf16;
      default:             fmt_of = FmtF32;
    endcase
  endfunction
