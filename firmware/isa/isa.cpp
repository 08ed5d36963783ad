#include "firmware/isa/isa.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "common/error.hpp"

namespace tsp::isa {
namespace {

uint64_t field_mask(const FieldDesc& f) { return f.width >= 64 ? ~uint64_t{0} : (uint64_t{1} << f.width) - 1; }

int64_t sign_extend(uint64_t raw, unsigned width) {
  const uint64_t sign = uint64_t{1} << (width - 1);
  return static_cast<int64_t>((raw ^ sign) - sign);
}

// Width in streams of the group an operand carries: typed ops move `type`-wide
// values, CVT/CVTS read `from`-wide ones, fields of a fixed type (`carries`) that type.
unsigned group_width(const Instr& in, const FieldDesc& f) {
  if (f.carries >= 0) return kDTypes[static_cast<size_t>(f.carries)].bytes;
  if (in.op == Op::LW) return 1;  // LW's src..src+nstreams-1 are checked on their own
  const bool reads_from = (in.op == Op::CVT || in.op == Op::CVTS) && f.name == "a";
  const std::string_view type_field = reads_from ? "from" : "type";
  const auto& fields = in.desc().fields;
  for (size_t i = 0; i < fields.size(); ++i)
    if (fields[i].name == type_field) return kDTypes[static_cast<size_t>(in.operand[i])].bytes;
  return 1;
}

}  // namespace

void detail::bad_op(Op op) {
  throw std::out_of_range(fmt::format("op_desc: 0x{:02x} is not an opcode", static_cast<unsigned>(op)));
}

const OpDesc* find_op(uint8_t code) {
  const uint8_t i = detail::kCodeIndex[code];
  return i == 0xff ? nullptr : &kOps[i];
}

const OpDesc* find_op(std::string_view mnemonic) {
  for (const auto& d : kOps)
    if (equal_nocase(d.mnemonic, mnemonic)) return &d;
  return nullptr;
}

const Config* find_config(std::string_view name) {
  for (const auto& c : kConfigs)
    if (equal_nocase(c.name, name)) return &c;
  return nullptr;
}

const CableDesc* find_cable(std::string_view name) {
  for (const auto& c : kCables)
    if (equal_nocase(c.name, name)) return &c;
  return nullptr;
}

uint32_t cable_wire_cycles(const Config& cfg, const CableDesc& cable) {
  return static_cast<uint32_t>((uint64_t(cable.wire_ps) * cfg.clock_mhz + 999'999) / 1'000'000);
}

uint32_t c2c_hop_cycles(const Config& cfg, const CableDesc& cable) {
  return cfg.c2c_hop_latency_cycles + cable_wire_cycles(cfg, cable) - cable_wire_cycles(cfg, kCables[kDefaultCable]);
}

const DTypeDesc* find_dtype(std::string_view name) {
  for (const auto& t : kDTypes)
    if (equal_nocase(t.name, name)) return &t;
  return nullptr;
}

const DTypeDesc& dtype_desc(DType type) { return kDTypes.at(static_cast<size_t>(type)); }

std::optional<uint16_t> find_queue(const Config& cfg, std::string_view name) {
  for (size_t i = 0; i < cfg.queue_table.size(); ++i)
    if (equal_nocase(cfg.queue_table[i].name, name)) return static_cast<uint16_t>(i);
  return std::nullopt;
}

bool equal_nocase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return x == y || ((x | 0x20) == (y | 0x20) && std::isalpha(static_cast<unsigned char>(x)));
         });
}

std::string_view unit_name(Unit unit) { return kUnitNames.at(static_cast<size_t>(unit)); }

std::string stream_name(StreamRef s) { return fmt::format("S{}.{}", s.index, s.west ? 'W' : 'E'); }

std::string format(const Instr& in) {
  const OpDesc& d = in.desc();
  std::string head(d.mnemonic), ops;
  for (size_t i = 0; i < d.fields.size(); ++i) {
    const FieldDesc& f = d.fields[i];
    const int64_t v = in.operand[i];
    switch (f.kind) {
      case FieldKind::Type:
        head += fmt::format(".{}", kDTypes.at(static_cast<size_t>(v)).name);
        continue;
      case FieldKind::Stream:
        ops +=
            fmt::format("{}{}", ops.empty() ? "" : ", ", stream_name(StreamRef::from_code(static_cast<uint64_t>(v))));
        break;
      case FieldKind::Enum:
        ops += fmt::format("{}{}", ops.empty() ? "" : ", ", f.enum_values[static_cast<size_t>(v)]);
        break;
      case FieldKind::Addr:
        ops += fmt::format("{}0x{:x}", ops.empty() ? "" : ", ", v);
        break;
      case FieldKind::Uimm:
      case FieldKind::Simm:
        ops += fmt::format("{}{}", ops.empty() ? "" : ", ", v);
        break;
    }
  }
  return ops.empty() ? head : head + " " + ops;
}

int64_t Instr::get(std::string_view field) const {
  const auto& fields = desc().fields;
  for (size_t i = 0; i < fields.size(); ++i)
    if (fields[i].name == field) return operand[i];
  throw std::out_of_range(fmt::format("{} has no operand '{}'", desc().mnemonic, field));
}

bool fits(const FieldDesc& f, int64_t v) {
  if (f.kind == FieldKind::Simm) {
    const int64_t lo = -(int64_t{1} << (f.width - 1));
    const int64_t hi = (int64_t{1} << (f.width - 1)) - 1;
    return v >= lo && v <= hi;
  }
  return v >= 0 && static_cast<uint64_t>(v) <= field_mask(f);
}

uint64_t encode(const Instr& in) {
  const OpDesc& d = in.desc();
  uint64_t word = static_cast<uint64_t>(d.op) << kOpcodeLsb;
  for (size_t i = 0; i < d.fields.size(); ++i) {
    const FieldDesc& f = d.fields[i];
    if (!fits(f, in.operand[i]))
      throw Error(
          fmt::format("{}: operand {} = {} does not fit in {} bits", d.mnemonic, f.name, in.operand[i], f.width));
    word |= (static_cast<uint64_t>(in.operand[i]) & field_mask(f)) << f.lsb;
  }
  return word;
}

std::optional<Instr> decode(uint64_t word, std::string* why) {
  auto fail = [&](std::string reason) -> std::optional<Instr> {
    if (why) *why = std::move(reason);
    return std::nullopt;
  };
  const auto code = static_cast<uint8_t>(word >> kOpcodeLsb);
  const OpDesc* d = find_op(code);
  if (!d) return fail(fmt::format("illegal opcode 0x{:02x}", code));
  Instr in;
  in.op = d->op;
  uint64_t used = 0;
  for (size_t i = 0; i < d->fields.size(); ++i) {
    const FieldDesc& f = d->fields[i];
    const uint64_t raw = (word >> f.lsb) & field_mask(f);
    used |= field_mask(f) << f.lsb;
    in.operand[i] = f.kind == FieldKind::Simm ? sign_extend(raw, f.width) : static_cast<int64_t>(raw);
    if (f.kind == FieldKind::Type && raw >= kDTypes.size())
      return fail(fmt::format("{}: type code {} does not exist", d->mnemonic, raw));
    if (f.kind == FieldKind::Type && f.name == "type" && !(d->type_mask >> raw & 1u))
      return fail(fmt::format("{}: type {} is not allowed", d->mnemonic, kDTypes[raw].name));
    if (f.kind == FieldKind::Enum && raw >= f.enum_values.size())
      return fail(fmt::format("{}: {} value {} out of range", d->mnemonic, f.name, raw));
  }
  if (const uint64_t stray = word & kOperandMask & ~used)
    return fail(fmt::format("{}: reserved bits set (0x{:x})", d->mnemonic, stray));
  return in;
}

uint64_t duration(const Instr& in) {
  const OpDesc& d = in.desc();
  uint64_t cycles = 1;
  bool any = false;
  for (int8_t f : d.duration_fields) {
    if (f < 0) continue;
    cycles = (any ? cycles : 1) * static_cast<uint64_t>(in.operand[static_cast<size_t>(f)]);
    any = true;
  }
  return cycles;
}

std::optional<std::string> check_legal(const Instr& in, const Config& cfg, const QueueDesc& q) {
  const OpDesc& d = in.desc();
  if (d.unit != Unit::ICU && d.unit != q.unit)
    return fmt::format("{} is a {} instruction but queue {} belongs to {}", d.mnemonic, unit_name(d.unit), q.name,
                       unit_name(q.unit));
  for (size_t i = 0; i < d.fields.size(); ++i) {
    const FieldDesc& f = d.fields[i];
    const int64_t v = in.operand[i];
    if (f.kind == FieldKind::Addr && v >= cfg.mem_addresses)
      return fmt::format("{}: address {} out of range (config {} has {} addresses per slice)", d.mnemonic, v, cfg.name,
                         cfg.mem_addresses);
    if (f.kind == FieldKind::Stream) {
      const StreamRef s = StreamRef::from_code(static_cast<uint64_t>(v));
      const unsigned width = group_width(in, f);
      if (s.index + width > cfg.streams_per_direction)
        return fmt::format("{}: stream {} (group of {}) does not exist (config {} has {} streams per direction)",
                           d.mnemonic, stream_name(s), width, cfg.name, cfg.streams_per_direction);
      if (s.index % width != 0)
        return fmt::format("{}: stream group {} must start at a multiple of {}", d.mnemonic, stream_name(s), width);
    }
  }
  if (in.op == Op::NOP && in.operand[0] == 0) return std::string("NOP: cycle count must be at least 1");
  if (in.op == Op::REPEAT && (in.get("count") == 0 || in.get("interval") == 0))
    return std::string("REPEAT: count and interval must be at least 1");
  if (in.op == Op::LW) {
    const auto src = StreamRef::from_code(static_cast<uint64_t>(in.get("src")));
    const int64_t n = in.get("nstreams");
    if (n < 1 || src.index + n > cfg.streams_per_direction)
      return fmt::format("LW: streams {}..+{} do not exist", stream_name(src), n);
    // A row of a b-byte weight type takes b streams: nstreams / b rows.
    const int64_t rows = n / kDTypes[static_cast<size_t>(in.get("type"))].bytes;
    if (in.get("row") + rows > cfg.mxm_dim)
      return fmt::format("LW: rows {}..+{} exceed the plane's {} rows", in.get("row"), rows, cfg.mxm_dim);
  }
  if ((in.op == Op::ABC || in.op == Op::ACC) && in.get("slot") >= cfg.mxm_acc_slots)
    return fmt::format("{}: accumulator slot {} out of range ({} slots)", d.mnemonic, in.get("slot"),
                       cfg.mxm_acc_slots);
  if ((in.op == Op::SHIFTUP || in.op == Op::SHIFTDN) && in.get("lanes") >= cfg.lanes)
    return fmt::format("{}: shift of {} lanes out of range ({} lanes)", d.mnemonic, in.get("lanes"), cfg.lanes);
  if (in.op == Op::TRANSPOSE) {
    for (const char* name : {"dst", "src"}) {
      const auto s = StreamRef::from_code(static_cast<uint64_t>(in.get(name)));
      const uint32_t n = cfg.lanes_per_superlane;  // an n x n transpose within each superlane
      if (s.index % n != 0 || s.index + n > cfg.streams_per_direction)
        return fmt::format("TRANSPOSE: {} must start a group of {} streams at a multiple of {}", stream_name(s), n, n);
    }
  }
  return std::nullopt;
}

uint16_t mem_slice_of(const QueueDesc& q, const Config& cfg) {
  return static_cast<uint16_t>(q.hemisphere == 0 ? q.index : cfg.mem_slices_per_hemisphere + q.index);
}

std::string mem_slice_name(const Config& cfg, uint16_t slice) {
  const bool east = slice >= cfg.mem_slices_per_hemisphere;
  return fmt::format("MEM.{}.{}", east ? 'E' : 'W', east ? slice - cfg.mem_slices_per_hemisphere : slice);
}

}  // namespace tsp::isa
