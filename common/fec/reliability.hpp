#pragma once
// How often the link FEC fails (docs/links.md, "Reliability"). Model: every
// bit on the wire flips independently with probability `ber` (no bursts), so a
// 10-bit symbol is wrong with ps = 1 - (1 - ber)^10 and a frame is lost when
// more than t = kFecT of its symbols are wrong (the decoder corrects every
// pattern of up to t and, with its checks, flags the rest).

namespace tsp::fec {

// P(more than t of frame_symbols symbols wrong): the binomial tail, summed in log space.
double uncorrectable_frame_probability(double ber, unsigned frame_symbols);

// The largest BER at which `frames` independent frames all decode with
// probability at least `survival` (0 < survival < 1), found by bisection.
double max_ber_for_frames(double frames, double survival, unsigned frame_symbols);

}  // namespace tsp::fec
