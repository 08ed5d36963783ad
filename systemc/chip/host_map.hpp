#pragma once
// The chip as the host sees it over PCIe [ours; docs/model.md "Host interface"].
#include <cstdint>

namespace tsp::model::hostmap {

// SRAM: byte `lane` of vector `address` of MEM slice `slice` is at
// kSram + (slice * mem_addresses + address) * vector_bytes + lane.
inline constexpr uint64_t kSram = 0;
// 64-bit registers.
inline constexpr uint64_t kRegs = 0x1'0000'0000;
inline constexpr uint64_t kCtrl = kRegs + 0x00;          // write: kLoad, kStart
inline constexpr uint64_t kStatus = kRegs + 0x08;        // read: Status
inline constexpr uint64_t kCycles = kRegs + 0x10;        // read: cycles run (program length once done)
inline constexpr uint64_t kInstructions = kRegs + 0x18;  // read: instructions issued
inline constexpr uint64_t kEccCorrected = kRegs + 0x20;  // read: single-bit errors corrected
inline constexpr uint64_t kImageBytes = kRegs + 0x28;    // write: size of the staged image (best before it)
inline constexpr uint64_t kRegsEnd = kRegs + 0x30;
// Staging window for a program image (`tsp` image format); kLoad parses it
// and frees it: another load needs the image written again.
inline constexpr uint64_t kImage = 0x2'0000'0000;
inline constexpr uint64_t kImageWindow = 0x1'0000'0000;

enum Ctrl : uint64_t { kLoad = 1, kStart = 2 };
// kArmed: started by its host, waiting for the system's start (start_barrier.hpp).
enum Status : uint64_t { kIdle = 0, kLoaded = 1, kRunning = 2, kDone = 3, kError = 4, kArmed = 5 };

}  // namespace tsp::model::hostmap
