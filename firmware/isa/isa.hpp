#pragma once
// Typed access to the generated ISA tables (tsp/isa_gen.hpp, from isa.toml):
// lookups by name and code, instruction words, stream references, and the
// configuration-dependent legality rules shared by assembler, loader and model.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "tsp/isa_gen.hpp"

namespace tsp::isa {

inline constexpr unsigned kMaxFields = 5;
inline constexpr uint64_t kOperandMask = (uint64_t{1} << kOpcodeLsb) - 1;

namespace detail {
// Opcode -> index into kOps, 0xff for codes that are not opcodes.
constexpr std::array<uint8_t, 256> make_code_index() {
  std::array<uint8_t, 256> index{};
  index.fill(0xff);
  for (size_t i = 0; i < kOps.size(); ++i) index[static_cast<uint8_t>(kOps[i].op)] = static_cast<uint8_t>(i);
  return index;
}
inline constexpr auto kCodeIndex = make_code_index();
[[noreturn]] void bad_op(Op op);
}  // namespace detail

// On every instruction of the simulator's hot path: an inline table lookup.
inline const OpDesc& op_desc(Op op) {
  const uint8_t i = detail::kCodeIndex[static_cast<uint8_t>(op)];
  if (i == 0xff) detail::bad_op(op);
  return kOps[i];
}
const OpDesc* find_op(uint8_t code);
const OpDesc* find_op(std::string_view mnemonic);  // case-insensitive
const Config* find_config(std::string_view name);
// A cable class of isa.toml [c2c.cable] by name; nullptr if there is none.
const CableDesc* find_cable(std::string_view name);
// Cycles of `cfg`'s clock for a cable's propagation, rounded up.
uint32_t cable_wire_cycles(const Config& cfg, const CableDesc& cable);
// SEND to RECV over one link of this cable (the hop the schedule uses): the
// table's hop for the default cable, longer or shorter by the cable's wire.
uint32_t c2c_hop_cycles(const Config& cfg, const CableDesc& cable);
const DTypeDesc* find_dtype(std::string_view name);
const DTypeDesc& dtype_desc(DType type);
// Queue id (index into Config::queue_table) by name, e.g. "MEM.W.3"; case-insensitive.
std::optional<uint16_t> find_queue(const Config& cfg, std::string_view name);
std::string_view unit_name(Unit unit);
// ASCII case-insensitive equality: mnemonics, queue and type names are case-insensitive.
bool equal_nocase(std::string_view a, std::string_view b);

// A stream reference: index 0..31 and direction, encoded as dir<<5 | index.
struct StreamRef {
  uint8_t index = 0;
  bool west = false;
  constexpr uint8_t code() const { return static_cast<uint8_t>((west ? 1u : 0u) << kStreamDirBit | index); }
  static constexpr StreamRef from_code(uint64_t code) {
    return {static_cast<uint8_t>(code & ((1u << kStreamIndexBits) - 1)), ((code >> kStreamDirBit) & 1u) != 0};
  }
};
std::string stream_name(StreamRef s);  // "S3.E"

// Where operand `name` sits in each op's field list, by opcode (-1 where the
// op has none), resolved from the table at compile time: code that handles
// several ops reads operands by name without comparing strings per instruction.
struct OperandPositions {
  std::string_view name;
  std::array<int8_t, 256> at;
};
consteval OperandPositions operand_positions(std::string_view name) {
  OperandPositions p{name, {}};
  p.at.fill(-1);
  for (const auto& d : kOps)
    for (size_t i = 0; i < d.fields.size(); ++i)
      if (d.fields[i].name == name) p.at[static_cast<uint8_t>(d.op)] = static_cast<int8_t>(i);
  return p;
}

// A decoded instruction: opcode plus operand values in the op's field order.
// Signed fields hold their sign-extended value.
struct Instr {
  Op op = Op::NOP;
  std::array<int64_t, kMaxFields> operand{};

  const OpDesc& desc() const { return op_desc(op); }
  // Operand by field name; throws std::out_of_range if the op has no such field.
  int64_t get(std::string_view field) const;
  bool has(const OperandPositions& field) const { return field.at[static_cast<uint8_t>(op)] >= 0; }
  // The same by a compile-time position table; throws std::out_of_range too.
  int64_t get(const OperandPositions& field) const {
    const int8_t i = field.at[static_cast<uint8_t>(op)];
    if (i < 0) [[unlikely]]
      return get(field.name);
    return operand[static_cast<size_t>(i)];
  }
  bool operator==(const Instr&) const = default;
};

// Position of operand `field` in `op`'s field list, resolved at compile time
// from the table (hot paths index Instr::operand with it instead of get()).
consteval size_t operand_index(Op op, std::string_view field) {
  for (const auto& d : kOps)
    if (d.op == op)
      for (size_t i = 0; i < d.fields.size(); ++i)
        if (d.fields[i].name == field) return i;
  throw "operand_index: the ISA table has no such operand";  // a compile error in consteval context
}

// Width in streams of the group that operand `field` of `op` carries when the
// table fixes its element type (`carries`), resolved at compile time: unit code
// that decodes such a group (16-bit addresses, lane maps) asserts on it.
consteval unsigned carried_streams(Op op, std::string_view field) {
  for (const auto& d : kOps)
    if (d.op == op) {
      const auto& f = d.fields[operand_index(op, field)];
      if (f.carries < 0) throw "carried_streams: the field's type is not fixed by the table";
      return kDTypes[static_cast<size_t>(f.carries)].bytes;
    }
  throw "carried_streams: no such op";
}

// True when `value` is representable in the field's bits.
bool fits(const FieldDesc& field, int64_t value);
// Packs an instruction; every operand must fit (checked: throws tsp::Error).
uint64_t encode(const Instr& instr);
// Unpacks a word. On failure returns nullopt and says why (illegal opcode,
// reserved bits set, type not allowed for the op, enum value out of range).
std::optional<Instr> decode(uint64_t word, std::string* why);

// Canonical assembly text, e.g. "ADD.f16 S0.E, S2.E, S4.W" or "READ 0x10, S3.E".
std::string format(const Instr& instr);

// Cycles the instruction occupies its queue before the next one issues.
uint64_t duration(const Instr& instr);

// Checks that need the configuration and the queue the instruction sits in:
// unit matches the queue, streams exist, addresses are in range, stream groups
// are aligned to their type's width. Returns the reason when illegal.
std::optional<std::string> check_legal(const Instr& instr, const Config& cfg, const QueueDesc& queue);

// MEM slice number (0 .. mem_slices-1, west first) of a MEM queue, and back.
uint16_t mem_slice_of(const QueueDesc& queue, const Config& cfg);
std::string mem_slice_name(const Config& cfg, uint16_t slice);
// Bank of an address within its slice [ours: interleaved, bank = addr mod banks].
constexpr uint32_t mem_bank(const Config& cfg, uint32_t address) { return address % cfg.mem_banks; }

}  // namespace tsp::isa
