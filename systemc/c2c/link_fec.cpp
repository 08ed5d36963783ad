#include "systemc/c2c/link_fec.hpp"

#include <array>
#include <memory>
#include <mutex>

#include "common/fec/rs.hpp"
#include "common/fec/vector_symbols.hpp"

namespace tsp::model {
namespace {

// One codec per configuration, built on first use (its tables are a few KiB).
const fec::RsCodec& codec_of(const isa::Config& cfg) {
  static std::array<std::unique_ptr<fec::RsCodec>, isa::kConfigs.size()> codecs;
  static std::mutex m;
  const auto i = static_cast<size_t>(&cfg - isa::kConfigs.data());
  std::lock_guard lock(m);
  if (!codecs.at(i)) codecs[i] = std::make_unique<fec::RsCodec>(fec::RsCodec::for_config(cfg));
  return *codecs[i];
}

}  // namespace

FecOutcome pass_through_fec(const isa::Config& cfg, const std::vector<uint32_t>& flipped, Vec& payload,
                            bool force_codec) {
  FecOutcome out;
  if (flipped.empty() && !force_codec) return out;
  const fec::RsCodec& rs = codec_of(cfg);
  std::vector<fec::Symbol> data(rs.data_symbols()), frame(rs.frame_symbols());
  const std::span<uint8_t> bytes(payload.bytes.data(), cfg.vector_bytes);
  fec::bytes_to_symbols(bytes, data);
  rs.encode(data, frame);
  for (uint32_t bit : flipped) fec::flip_frame_bit(frame, bit);
  const fec::DecodeResult r = rs.decode(frame);
  if (r.status == fec::DecodeResult::kUncorrectable) {
    out.uncorrectable = true;
    return out;
  }
  out.corrected_symbols = r.corrected_symbols;
  Vec decoded = payload;
  fec::symbols_to_bytes(std::span<const fec::Symbol>(frame.data(), rs.data_symbols()),
                        std::span<uint8_t>(decoded.bytes.data(), cfg.vector_bytes));
  out.miscorrected = !std::equal(bytes.begin(), bytes.end(), decoded.bytes.begin());
  if (!out.miscorrected) return out;
  payload = decoded;  // what hardware would deliver
  return out;
}

}  // namespace tsp::model
