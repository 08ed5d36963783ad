#include "common/fec/gf.hpp"

#include <fmt/format.h>

#include "common/error.hpp"

namespace tsp::fec::gf {

Symbol inv(Symbol a) {
  if (a == 0 || a > kSymbolMask)
    throw Error(fmt::format("fec: GF(2^10) inverse of {:#x}: not a non-zero field element", a));
  return kTables.exp[kOrder - kTables.log[a]];
}

Symbol div(Symbol a, Symbol b) {
  if (b == 0 || b > kSymbolMask)
    throw Error(fmt::format("fec: GF(2^10) division {:#x} / {:#x}: divisor is not a non-zero field element", a, b));
  if (a == 0) return 0;
  return kTables.exp[kTables.log[a] + kOrder - kTables.log[b]];
}

Symbol pow(Symbol a, int e) {
  if (a > kSymbolMask) throw Error(fmt::format("fec: GF(2^10) power of {:#x}: not a field element", a));
  if (a == 0) {
    if (e < 0) throw Error(fmt::format("fec: GF(2^10) power 0^{}: zero has no inverse", e));
    return e == 0 ? Symbol{1} : Symbol{0};
  }
  // alpha's powers repeat every kOrder, so the exponent is reduced mod 1023 in 64 bits.
  const int64_t l = (int64_t{kTables.log[a]} * e) % kOrder;
  return kTables.exp[static_cast<unsigned>(l < 0 ? l + kOrder : l)];
}

}  // namespace tsp::fec::gf
