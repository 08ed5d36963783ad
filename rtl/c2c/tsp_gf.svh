// GF(2^m) arithmetic of the chip-to-chip link FEC (docs/links.md, "FEC RTL"),
// `include'd inside the modules that use it (tsp_rs_enc, tsp_rs_dec): the field
// is GF(2)[x] / Poly, alpha = x, m = SymBits. The including module defines
//   SymBits = tsp_isa_pkg::FecSymbolBits, Order = 2^SymBits - 1,
//   Parity = FecN - FecK, FirstRoot = FecFirstRoot, Poly = FecPoly (SymBits+1 bits)
// (tsp_gf_params.svh does). Same field and code as the C++ codec in common/fec/.
//
// Why an include and not a package: Yosys 0.23 neither lets a package use
// another package's constants nor knows `import` or `return`; functions in the
// module, spelled without `return`, are read by both Verilator and Yosys.
// Called with constants the functions fold into constants or constant
// multipliers (XOR networks); gf_mul and gf_inv of two signals are the general
// circuits.

  // a * alpha: shift up one, reduce x^m by the field polynomial.
  function automatic logic [SymBits-1:0] gf_xtime(logic [SymBits-1:0] a);
    logic [SymBits:0] s;
    s = {a, 1'b0};
    if (s[SymBits]) s = s ^ Poly;
    gf_xtime = s[SymBits-1:0];
  endfunction

  // a * b, shift-and-add from b's top bit.
  function automatic logic [SymBits-1:0] gf_mul(logic [SymBits-1:0] a, logic [SymBits-1:0] b);
    logic [SymBits-1:0] p;
    p = '0;
    for (int i = SymBits - 1; i >= 0; i--) begin
      p = gf_xtime(p);
      if (b[i]) p = p ^ a;
    end
    gf_mul = p;
  endfunction

  // a^2: linear in a's bits, the sum of alpha^(2i) over a's set bits i.
  function automatic logic [SymBits-1:0] gf_sq(logic [SymBits-1:0] a);
    logic [SymBits-1:0] p, x2i;
    p   = '0;
    x2i = SymBits'(1);
    for (int unsigned i = 0; i < SymBits; i++) begin
      if (a[i]) p = p ^ x2i;
      x2i = gf_xtime(gf_xtime(x2i));
    end
    gf_sq = p;
  endfunction

  // a^-1 = a^(2^m - 2) (0 for a = 0): p = a^(2^j - 1) for j = 1 .. m-1, then squared.
  function automatic logic [SymBits-1:0] gf_inv(logic [SymBits-1:0] a);
    logic [SymBits-1:0] p;
    p = a;
    for (int unsigned j = 2; j < SymBits; j++) p = gf_mul(gf_sq(p), a);
    gf_inv = gf_sq(p);
  endfunction

  // alpha^e for e >= 0 (for constants: square-and-multiply over e mod Order).
  function automatic logic [SymBits-1:0] gf_alpha_pow(int unsigned e);
    logic [SymBits-1:0] p;
    int unsigned        r;
    r = e % Order;
    p = SymBits'(1);
    for (int i = SymBits - 1; i >= 0; i--) begin
      p = gf_sq(p);
      if (r[i]) p = gf_xtime(p);
    end
    gf_alpha_pow = p;
  endfunction

  // alpha^-e for e >= 0.
  function automatic logic [SymBits-1:0] gf_alpha_pow_neg(int unsigned e);
    gf_alpha_pow_neg = gf_alpha_pow(Order - e % Order);
  endfunction

  // The constants alpha^(+-(first+k)*scale) for k = 0 .. Parity, entry k in bits
  // [k*SymBits +: SymBits] (constant multipliers of the decoder).
  function automatic logic [(Parity+1)*SymBits-1:0] gf_alpha_series(int unsigned first, int unsigned scale,
                                                                     bit negative);
    logic [(Parity+1)*SymBits-1:0] s;
    for (int unsigned k = 0; k <= Parity; k++) begin
      s[k*SymBits +: SymBits] = negative ? gf_alpha_pow_neg((first + k) * scale) : gf_alpha_pow((first + k) * scale);
    end
    gf_alpha_series = s;
  endfunction

  // Coefficients of the generator g(x) = prod_{j<Parity} (x - alpha^(FirstRoot+j)),
  // coefficient i in bits [i*SymBits +: SymBits]; monic, degree Parity.
  function automatic logic [(Parity+1)*SymBits-1:0] gen_poly();
    logic [(Parity+1)*SymBits-1:0] g;
    logic [SymBits-1:0]            root, lower;
    g = '0;
    g[SymBits-1:0] = SymBits'(1);
    for (int unsigned j = 0; j < Parity; j++) begin
      root = gf_alpha_pow(FirstRoot + j);
      // g <- g * (x + root), from the top so g[i-1] is still the old one
      for (int i = Parity; i >= 0; i--) begin
        lower = (i > 0) ? g[(i-1)*SymBits +: SymBits] : '0;
        g[i*SymBits +: SymBits] = lower ^ gf_mul(root, g[i*SymBits +: SymBits]);
      end
    end
    gen_poly = g;
  endfunction
