#include "systemc/waves/wave_recorder.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "common/error.hpp"

namespace tsp::waves {

using model::Cycle;
namespace {
constexpr uint64_t kNever = std::numeric_limits<uint64_t>::max();
constexpr Cycle kLast = std::numeric_limits<Cycle>::max();
constexpr uint32_t kNoTrack = std::numeric_limits<uint32_t>::max();

// Roles that hold their value (counters); every other one returns to idle.
bool sticky(Role r) { return r == Role::Cycle || r == Role::Sac || r == Role::Drift || r == Role::InFlight; }
}  // namespace

// Turns one chip's engine events into changes of its variables.
class WaveRecorder::ChipObserver : public model::Observer {
 public:
  ChipObserver(WaveRecorder& rec, uint32_t chip) : rec_(rec), chip_(chip) {}

  void on_issue(uint16_t queue, uint32_t index, Cycle t, const isa::Instr& in) override {
    rec_.issued(chip_, t);
    if (!rec_.shown_[chip_]) return;  // observed for its issue times only
    rec_.record(chip_, t, {rec_.handle(chip_, queue, Role::Instr), Merge::Append, 0, isa::format(in)});
    rec_.record(chip_, t, {rec_.handle(chip_, queue, Role::Opcode), Merge::Set, static_cast<uint8_t>(in.op), {}});
    rec_.record(chip_, t, {rec_.handle(chip_, queue, Role::Index), Merge::Set, index, {}});
  }
  void on_stream_put(isa::StreamRef s, uint16_t /*position*/, Cycle at, uint16_t queue) override {
    // The engine puts at the producing queue's own position, so the queue names the position.
    rec_.record(
        chip_, at,
        {rec_.handle(chip_, queue, s.west ? Role::StreamsW : Role::StreamsE), Merge::Or, uint64_t{1} << s.index, {}});
  }
  void on_sram(uint16_t slice, uint32_t address, Cycle at, bool write) override {
    rec_.record(chip_, at,
                {rec_.handle(chip_, rec_.slice_queue_.at(slice), write ? Role::SramWr : Role::SramRd),
                 Merge::Set,
                 address,
                 {}});
  }
  void on_drift(Cycle at, int64_t shift) override { rec_.tracks_[chip_].drifts[at] = shift; }

 private:
  WaveRecorder& rec_;
  uint32_t chip_;
};

uint64_t WaveRecorder::Track::ps(Cycle c) const {
  if (nominal) return c * 1'000'000 / clock_mhz;  // cycle_ps(): the single-chip waves' time base
  return static_cast<uint64_t>(std::floor(double(c) * 1e6 / mhz));
}

Cycle WaveRecorder::Track::first_at(uint64_t t) const {
  Cycle c = static_cast<Cycle>(std::ceil(double(t) * mhz / 1e6));
  while (c > 0 && ps(c - 1) >= t) --c;
  while (ps(c) < t) ++c;
  return c;
}

WaveRecorder::WaveRecorder(const image::Image& img, const std::string& fst_path, WaveWindow window,
                           const topo::Topology* topology, std::vector<bool> shown)
    : cfg_([&]() -> const isa::Config& {
        const isa::Config* cfg = isa::find_config(img.config);
        if (!cfg) throw Error(fmt::format("waves: unknown configuration '{}'", img.config));
        return *cfg;
      }()),
      window_(window),
      file_(fst_path),
      topology_(topology),
      shown_(shown.empty() ? std::vector<bool>(img.chips.size(), true) : std::move(shown)) {
  const size_t chips = img.chips.size();
  if (shown_.size() != chips)
    throw Error(fmt::format("waves: {} chips chosen for an image of {}", shown_.size(), chips));
  vars_ = wave_layout(img, cfg_, topology, shown_);
  handles_.assign(chips, std::vector<std::array<FstFile::Handle, kQueueRoles>>(cfg_.queue_table.size()));
  tracks_.resize(chips);
  for (size_t c = 0; c < chips; ++c) {
    Track& t = tracks_[c];
    if (topology) t.clock = {topology->chips.at(c).clock_ppm, topology->chips.at(topology->root).clock_ppm};
    t.nominal = t.clock.ppm == 0;
    t.clock_mhz = cfg_.clock_mhz;
    t.mhz = cfg_.clock_mhz * (1 + t.clock.ppm * 1e-6);
    t.next = window.from;
  }
  if (topology) {
    link_handles_.resize(topology->links.size());
    link_frames_.resize(topology->links.size());
    carried_.resize(topology->links.size());
  }
  // The window in time: from the earliest chip's first cycle to the latest one's last.
  lo_ps_ = kNever;
  hi_ps_ = window.to == kLast ? kNever : 0;
  for (size_t c = 0; c < chips; ++c) {
    if (!shown_[c]) continue;
    lo_ps_ = std::min(lo_ps_, tracks_[c].ps(window.from));
    if (window.to != kLast) hi_ps_ = std::max(hi_ps_, tracks_[c].ps(window.to + 1));
  }
  std::vector<FstFile::Handle> counter(chips, 0);  // each chip's cycle counter
  std::vector<std::string> open;                   // scopes entered so far
  std::vector<FstFile::Handle> start_busy;
  for (const WaveVar& v : vars_) {
    size_t common = 0;
    while (common < open.size() && common < v.scope.size() && open[common] == v.scope[common]) ++common;
    for (; open.size() > common; open.pop_back()) file_.pop_scope();
    for (; open.size() < v.scope.size(); open.push_back(v.scope[open.size()])) file_.push_scope(v.scope[open.size()]);
    // Chips on one clock count the same cycles: without a topology, later chips alias chip 0's counter.
    FstFile::Handle alias = 0;
    if (v.role == Role::Cycle) alias = counter[v.chip] ? counter[v.chip] : !topology && v.chip > 0 ? counter[0] : 0;
    const FstFile::Handle h = v.width ? file_.bits(v.name, v.width, alias) : file_.text(v.name);
    if (role_of_.size() <= h) role_of_.resize(h + 1, Role::Cycle);
    if (!alias) role_of_[h] = v.role;
    // Start from idle, not from GTKWave's x: as if everything had been busy before.
    if (!alias && !sticky(v.role)) {
      if (static_cast<size_t>(v.role) < kQueueRoles)  // a queue's: idle when its chip's next cycle does not set it
        tracks_[v.chip].active.push_back(h);
      else
        timed_[v.role >= Role::Frame ? lo_ps_ : tracks_[v.chip].ps(window.from)].push_back({h, Merge::Idle, 0, {}});
      start_busy.push_back(h);
    }
    Track& t = tracks_[v.chip];
    switch (v.role) {
      case Role::Cycle:
        if (!alias) t.counter = h;
        counter[v.chip] = alias ? alias : h;
        break;
      case Role::Sac:
        t.sac = h;
        break;
      case Role::Drift:
        t.drift = h;
        break;
      case Role::HacEpoch:
        t.epoch = h;
        break;
      case Role::Frame:
      case Role::InFlight:
      case Role::Landed:
      case Role::BitErrors:
      case Role::Fec:
        link_handles_[v.link][v.from_b][static_cast<size_t>(v.role) - static_cast<size_t>(Role::Frame)] = h;
        break;
      default:
        handles_[v.chip][v.queue][static_cast<size_t>(v.role)] = h;
    }
  }
  for (; !open.empty(); open.pop_back()) file_.pop_scope();
  busy_.assign(role_of_.size(), false);
  for (FstFile::Handle h : start_busy) busy_[h] = true;
  track_of_.assign(role_of_.size(), kNoTrack);
  for (uint32_t k = 0; k < tracks_.size(); ++k)
    for (FstFile::Handle h : tracks_[k].active) track_of_[h] = k;
  running_.assign(role_of_.size(), 0);
  for (const auto& dirs : link_handles_)
    for (const auto& h : dirs) record_span(lo_ps_, kNever, {h[1], Merge::Add, 0, {}});  // in_flight from 0

  slice_queue_.resize(cfg_.mem_slices);
  for (uint16_t id = 0; id < cfg_.queue_table.size(); ++id)
    if (cfg_.queue_table[id].unit == isa::Unit::MEM) slice_queue_[isa::mem_slice_of(cfg_.queue_table[id], cfg_)] = id;

  // Observed: shown, or linked to a shown chip (its frames land in the wave).
  std::vector<bool> observed = shown_;
  if (topology)
    for (const topo::Link& l : topology->links)
      if (shown_[l.a.chip] || shown_[l.b.chip]) observed[l.a.chip] = observed[l.b.chip] = true;
  // A chip without code never issues, and one not observed tells nothing: neither may hold the others' changes back.
  horizon_ps_.assign(chips, kNever);
  for (size_t c = 0; c < chips; ++c) {
    Track& t = tracks_[c];
    if (observed[c])
      for (const auto& qp : img.chips[c].queues)
        if (!qp.words.empty()) horizon_ps_[c] = 0;
    if (!shown_[c]) {
      t.retired = true;
      continue;
    }
    while (t.epoch && t.clock.own_cycle_at(double(t.epoch_k) * cfg_.hac_period_cycles) < window.from) ++t.epoch_k;
    due_.insert({t.ps(t.next), static_cast<uint32_t>(c)});
  }
  for (uint32_t c = 0; c < chips; ++c)
    observers_.push_back(observed[c] ? std::make_unique<ChipObserver>(*this, c) : nullptr);
}

WaveRecorder::~WaveRecorder() = default;

model::Observer* WaveRecorder::observer(uint32_t chip) { return observers_.at(chip).get(); }

FstFile::Handle WaveRecorder::handle(uint32_t chip, uint16_t queue, Role role) const {
  return handles_[chip][queue][static_cast<size_t>(role)];
}

void WaveRecorder::record(uint32_t chip, Cycle at, Change change) {
  if (!change.handle || at < window_.from || at > window_.to) return;
  Track& t = tracks_[chip];
  t.last_change = std::max(t.last_change, at + 1);
  timed_[t.ps(at)].push_back(std::move(change));  // lasts until the chip's next cycle (WaveRecorder::Track::active)
}

void WaveRecorder::record_span(uint64_t from_ps, uint64_t to_ps, Change change) {
  if (!change.handle || from_ps >= hi_ps_) return;
  if (change.merge == Merge::Add) {  // a count: what happened before the window shows at its start
    timed_[std::max(from_ps, lo_ps_)].push_back(std::move(change));
    return;
  }
  if (to_ps <= lo_ps_ || to_ps == kNever) return;
  const FstFile::Handle h = change.handle;
  timed_[std::max(from_ps, lo_ps_)].push_back(std::move(change));
  // A span that outlasts the window ends with it.
  timed_[std::min(to_ps, hi_ps_)].push_back({h, Merge::Idle, 0, {}});
}

void WaveRecorder::release(uint32_t chip) {
  const bool was_min = horizon_ps_.at(chip) == *std::min_element(horizon_ps_.begin(), horizon_ps_.end());
  horizon_ps_[chip] = kNever;
  if (was_min) write_until(*std::min_element(horizon_ps_.begin(), horizon_ps_.end()));
}

void WaveRecorder::issued(uint32_t chip, Cycle t) {
  // Every change is at or after its instruction's issue, and issues come in cycle order.
  const bool was_min = horizon_ps_[chip] == *std::min_element(horizon_ps_.begin(), horizon_ps_.end());
  horizon_ps_[chip] = tracks_[chip].ps(t);
  if (was_min) write_until(*std::min_element(horizon_ps_.begin(), horizon_ps_.end()));
}

bool WaveRecorder::due(const Track& t) const { return !t.retired && t.next <= window_.to && t.ps(t.next) < stop_ps_; }

void WaveRecorder::retire(uint32_t k) {
  Track& t = tracks_[k];
  t.retired = true;
  if (t.next <= window_.from) return;
  // The end of its last cycle, so it has a width on screen; what it showed there ends.
  auto& end = timed_[t.ps(t.next)];
  for (FstFile::Handle h : t.active) end.push_back({h, Merge::Idle, 0, {}});
  t.active.clear();
}

void WaveRecorder::write_until(uint64_t limit_ps) {
  for (;;) {
    uint64_t t = due_.empty() ? kNever : due_.begin()->first;
    if (!timed_.empty()) t = std::min(t, timed_.begin()->first);
    if (t == kNever || t >= limit_ps) return;
    write_step(t);
  }
}

void WaveRecorder::track_cycle(uint32_t k, std::vector<Change>& sets) {
  Track& t = tracks_[k];
  const Cycle c = t.next++;
  if (t.counter) sets.push_back({t.counter, Merge::Set, c, {}});
  if (!t.sac) return;
  bool changed = c == window_.from;
  for (; !t.drifts.empty() && t.drifts.begin()->first <= c; t.drifts.erase(t.drifts.begin())) {
    changed |= t.drift_now != t.drifts.begin()->second;
    t.drift_now = t.drifts.begin()->second;
  }
  if (changed) sets.push_back({t.drift, Merge::Set, static_cast<uint64_t>(t.drift_now), {}});
  sets.push_back({t.sac, Merge::Set, static_cast<uint64_t>(int64_t(c) - t.drift_now), {}});
  if (t.clock.own_cycle_at(double(t.epoch_k) * cfg_.hac_period_cycles) == c) {
    sets.push_back({t.epoch, Merge::Set, 1, {}});
    timed_[t.ps(c + 1)].push_back({t.epoch, Merge::Idle, 0, {}});
    ++t.epoch_k;
  }
}

void WaveRecorder::write_step(uint64_t ps) {
  std::vector<Change> sets;
  std::vector<FstFile::Handle> idles;
  std::vector<uint32_t> stepping;  // chips starting a cycle now
  while (!due_.empty() && due_.begin()->first == ps) {
    stepping.push_back(due_.begin()->second);
    due_.erase(due_.begin());
    track_cycle(stepping.back(), sets);
  }
  if (auto it = timed_.find(ps); it != timed_.end()) {
    for (Change& c : it->second) {
      if (c.merge == Merge::Idle)
        idles.push_back(c.handle);
      else
        sets.push_back(std::move(c));
    }
    timed_.erase(it);
  }
  if (ps != written_ps_) file_.time(ps);  // the same time again: only finish() moving a cut span's end
  written_ps_ = ps;
  std::stable_sort(sets.begin(), sets.end(), [](const Change& a, const Change& b) { return a.handle < b.handle; });
  std::vector<FstFile::Handle> now;
  for (size_t i = 0; i < sets.size();) {
    Change merged = std::move(sets[i]);
    for (++i; i < sets.size() && sets[i].handle == merged.handle; ++i) {
      if (merged.merge == Merge::Append)
        merged.text += "; " + sets[i].text;  // e.g. REPEAT and its first repetition
      else if (merged.merge == Merge::Text)
        merged.text = sets[i].text;
      else if (merged.merge == Merge::Or)
        merged.value |= sets[i].value;
      else if (merged.merge == Merge::Add)
        merged.value += sets[i].value;
      else
        merged.value = sets[i].value;
    }
    const FstFile::Handle h = merged.handle;
    if (merged.merge == Merge::Append || merged.merge == Merge::Text)
      file_.set_text(h, merged.text);
    else if (merged.merge == Merge::Add)
      file_.set(h, running_[h] += merged.value);
    else
      file_.set(h, merged.value);
    busy_[h] = true;
    now.push_back(h);
  }
  // A chip's queue signals last one of its cycles: those it set last cycle and not now return to idle.
  for (uint32_t k : stepping) {
    Track& t = tracks_[k];
    for (FstFile::Handle h : t.active)
      if (!std::binary_search(now.begin(), now.end(), h)) idles.push_back(h);
    t.active.clear();
    for (FstFile::Handle h : now)
      if (track_of_[h] == k) t.active.push_back(h);
  }
  std::sort(idles.begin(), idles.end());
  idles.erase(std::unique(idles.begin(), idles.end()), idles.end());
  for (FstFile::Handle h : idles)
    if (busy_[h] && !std::binary_search(now.begin(), now.end(), h)) {
      set_idle(h);
      busy_[h] = false;
    }
  for (uint32_t k : stepping) {
    if (due(tracks_[k]))
      due_.insert({tracks_[k].ps(tracks_[k].next), k});
    else
      retire(k);
  }
}

void WaveRecorder::set_idle(FstFile::Handle h) {
  switch (role_of_[h]) {
    case Role::Instr:
    case Role::Frame:
    case Role::Fec:
      file_.set_text(h, "-");
      break;
    case Role::StreamsE:
    case Role::StreamsW:
    case Role::Landed:
    case Role::HacEpoch:
      file_.set(h, 0);
      break;
    default:
      file_.set_z(h);
  }
}

WaveWindow WaveRecorder::finish(Cycle cycles, const std::vector<Cycle>& own_cycles) {
  if (finished_) throw Error("waves: finish() called twice");
  finished_ = true;
  // Every chip writes up to the time the longest one ends.
  stop_ps_ = 0;
  for (size_t k = 0; k < tracks_.size(); ++k) {
    if (!shown_[k]) continue;
    const Cycle end = std::max(k < own_cycles.size() ? own_cycles[k] : cycles, tracks_[k].last_change);
    stop_ps_ = std::max(stop_ps_, tracks_[k].ps(end));
  }
  // Where each chip will stop, and so where the wave ends.
  uint64_t first = kNever, last = 0;
  Cycle last_next = 0;
  for (const Track& t : tracks_) {
    Cycle next = t.next;
    if (!t.retired)
      next = std::min(window_.to == kLast ? kLast : window_.to + 1, std::max(t.next, t.first_at(stop_ps_)));
    if (next <= window_.from) continue;
    first = std::min(first, t.ps(window_.from));
    last = std::max(last, t.ps(next));
    last_next = std::max(last_next, next);
  }
  if (first == kNever) {
    timed_.clear();
  } else {
    // What would return to idle after the end does so at the end (a frame still on its way).
    const uint64_t end = written_ps_ == kNever ? last : std::max(last, written_ps_);
    std::vector<Change> ends;
    for (auto it = timed_.upper_bound(end); it != timed_.end(); it = timed_.erase(it))
      for (Change& c : it->second)
        if (c.merge == Merge::Idle) ends.push_back(std::move(c));
    if (!ends.empty()) std::move(ends.begin(), ends.end(), std::back_inserter(timed_[end]));
  }
  for (uint32_t k = 0; k < tracks_.size(); ++k)
    if (!tracks_[k].retired && !due(tracks_[k])) {
      due_.erase({tracks_[k].ps(tracks_[k].next), k});
      retire(k);
    }
  write_until(kNever);
  file_.close();
  if (first == kNever) return {1, 0};
  span_ = {first, last};
  return {window_.from, last_next - 1};
}

}  // namespace tsp::waves
