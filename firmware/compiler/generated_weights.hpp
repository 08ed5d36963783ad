#pragma once
// `tsp compile --generated-weights SEED`: MatMul weight constants whose bytes
// the image declares generated (image::GeneratedSegment, docs/image-format.md
// "Generated SRAM") instead of carrying them. The constants' values become
// what the generator puts in their SRAM layout, so the host reference, which
// computes with the graph's values, and the model agree bit for bit.
#include <cstdint>
#include <vector>

#include "firmware/compiler/ir.hpp"
#include "firmware/compiler/place.hpp"
#include "firmware/image/image.hpp"

namespace tsp::compiler {

// Rewrites `g`'s eligible weights and `img`'s SRAM (chip 0) to match; returns
// how many tensors became generated. Eligible: a constant of an integer type,
// f16 or bf16 (each value finite: generated SRAM's masks, docs/image-format.md)
// that is a MatMul/MatMulInteger weight (input 1); padding lanes and rows read
// zero (a row's partial last block: GeneratedSegment::period). Also any given
// constant of one value (a lane sum's ones), of any type: keep 0 and each
// byte plane's byte as `set`, its values unchanged.
// With `as_bytes` the weights take the same values but the image carries
// their bytes (to compare both forms of one program); without, codegen must
// have left the tensors' bytes out (codegen.hpp `generated`), and their
// values are made only when read.
// Whether generate_weights() takes tensor t (codegen then writes no bytes of it).
bool generated_weight(const Graph& g, TensorId t);

uint32_t generate_weights(Graph& g, const std::vector<Placement>& place, image::Image& img, const isa::Config& cfg,
                          uint64_t seed, bool as_bytes = false);

}  // namespace tsp::compiler
