#pragma once
// GF(2^10) arithmetic for the link FEC (docs/links.md, "FEC"): the field is
// GF(2)[x] / kFecPoly (x^10 + x^3 + 1) and alpha = x (0x002) generates its
// 1023 non-zero elements. Multiplication goes through log/antilog tables that
// are built at compile time, so the decoder's inner loops are two loads.
#include <array>
#include <cstdint>

#include "tsp/isa_gen.hpp"

namespace tsp::fec {

using Symbol = uint16_t;

inline constexpr unsigned kFieldSize = 1u << isa::kFecSymbolBits;  // 1024 elements
inline constexpr unsigned kOrder = kFieldSize - 1;                 // 1023 non-zero elements
inline constexpr Symbol kSymbolMask = static_cast<Symbol>(kFieldSize - 1);

namespace gf {

struct Tables {
  // exp[i] = alpha^i for i < 2 * kOrder: the sum of two logs indexes it without a modulo.
  std::array<Symbol, 2 * kOrder> exp{};
  // log[a] for a != 0; log[0] is never read for a product (callers test for zero).
  std::array<uint16_t, kFieldSize> log{};
  bool primitive = true;  // alpha's powers reach every non-zero element exactly once
};

constexpr Tables make_tables() {
  Tables t;
  std::array<bool, kFieldSize> seen{};
  unsigned a = 1;
  for (unsigned i = 0; i < kOrder; ++i) {
    if (a == 0 || seen[a]) t.primitive = false;
    seen[a] = true;
    t.exp[i] = static_cast<Symbol>(a);
    t.exp[i + kOrder] = static_cast<Symbol>(a);
    t.log[a] = static_cast<uint16_t>(i);
    a <<= 1;                                 // times alpha = x
    if (a & kFieldSize) a ^= isa::kFecPoly;  // reduce x^10 = x^3 + 1
  }
  if (a != 1) t.primitive = false;
  return t;
}

inline constexpr Tables kTables = make_tables();
static_assert(kTables.primitive, "isa.toml [c2c] fec_poly must be primitive: alpha would not generate the field");

inline Symbol add(Symbol a, Symbol b) { return a ^ b; }
inline Symbol exp(unsigned i) { return kTables.exp[i % kOrder]; }  // alpha^i
inline unsigned log(Symbol a) { return kTables.log[a]; }           // a != 0
inline Symbol mul(Symbol a, Symbol b) {
  return (a == 0 || b == 0) ? Symbol{0} : kTables.exp[kTables.log[a] + kTables.log[b]];
}
// The checked operations (a zero divisor is a tsp::Error naming the operation).
Symbol inv(Symbol a);
Symbol div(Symbol a, Symbol b);
Symbol pow(Symbol a, int e);  // a^e, e may be negative for a != 0; 0^0 = 1

}  // namespace gf
}  // namespace tsp::fec
