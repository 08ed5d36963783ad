#pragma once
// Constants of the binary image layout (docs/image-format.md). Shared by the
// writer and the reader and nothing else.
#include <array>
#include <cstdint>

namespace tsp::image::format {

inline constexpr std::array<uint8_t, 8> kMagic = {'T', 'S', 'P', 'I', 'M', 'A', 'G', 'E'};
inline constexpr uint32_t kHeaderBytes = 64;
inline constexpr uint32_t kAlignment = 8;  // sections start and end on 8-byte boundaries
inline constexpr uint32_t kSectionHeaderBytes = 16;

// Header field offsets.
inline constexpr size_t kOffMajor = 8;
inline constexpr size_t kOffMinor = 10;
inline constexpr size_t kOffHeaderSize = 12;
inline constexpr size_t kOffFileSize = 16;
inline constexpr size_t kOffCrc = 24;
inline constexpr size_t kOffSectionCount = 28;
inline constexpr size_t kOffReserved = 32;

enum class SectionKind : uint32_t {
  Manifest = 1,
  Queue = 2,
  Sram = 3,
  Expected = 4,
  Generated = 5,
  GeneratedMasked = 6,  // since 1.3: kind 5's record, then keep u8, set u8, reserved u16
  GeneratedBlocks = 7,  // since 1.4: kind 6's record, then period u32, last_lanes u16, reserved u16
};

inline constexpr uint32_t kManifestHasPrediction = 1u << 0;
inline constexpr uint16_t kQueueHasLocs = 1u << 0;

}  // namespace tsp::image::format
