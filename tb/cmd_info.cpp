// `tsp info`: geometry and capacities of a configuration, from the ISA table.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "firmware/isa/isa.hpp"
#include "systemc/chip/tsp_chip.hpp"
#include "tb/commands.hpp"
#include "tb/option_rules.hpp"

namespace tsp::cli {
namespace {

struct Derived {
  double peak_int8_tops, peak_fp16_tflops, sram_tib_per_s, c2c_gbytes_per_s_each_way;
};

Derived derive(const isa::Config& c) {
  const double hz = c.clock_mhz * 1e6;
  return {2.0 * double(c.macs) * hz / 1e12, 2.0 * double(c.macs) * hz / c.mxm_float_cycles / 1e12,
          2.0 * c.mem_slices * c.vector_bytes * hz / double(uint64_t{1} << 40),  // one read + one write per slice
          double(c.c2c_links) * c.c2c_link_mbytes_per_s / 1e3};
}

nlohmann::json cables_json(const isa::Config& c) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& cable : isa::kCables)
    out.push_back({{"name", cable.name},
                   {"wire_ps", cable.wire_ps},
                   {"hop_cycles", isa::c2c_hop_cycles(c, cable)},
                   {"default", &cable == &isa::kCables[isa::kDefaultCable]}});
  return out;
}

nlohmann::json to_json(const isa::Config& c) {
  const Derived d = derive(c);
  nlohmann::json queues = nlohmann::json::array();
  for (const auto& q : c.queue_table)
    queues.push_back({{"name", q.name}, {"unit", isa::unit_name(q.unit)}, {"position", q.position}});
  return {{"name", c.name},
          {"description", c.description},
          {"clock_mhz", c.clock_mhz},
          {"superlanes", c.superlanes},
          {"lanes", c.lanes},
          {"vector_bytes", c.vector_bytes},
          {"streams_per_direction", c.streams_per_direction},
          {"mem_slices", c.mem_slices},
          {"mem_addresses", c.mem_addresses},
          {"mem_banks", c.mem_banks},
          {"sram_bytes", c.sram_bytes},
          {"mxm_planes", c.mxm_planes},
          {"macs", c.macs},
          {"vxm_alus", c.vxm_alus},
          {"compute_queues", c.compute_queues},
          {"c2c_queues", c.c2c_queues},
          {"queues", c.queues},
          {"positions", c.positions},
          {"peak_int8_tops", d.peak_int8_tops},
          {"peak_fp16_tflops", d.peak_fp16_tflops},
          {"sram_tib_per_s", d.sram_tib_per_s},
          {"c2c_links", c.c2c_links},
          {"c2c_hop_latency_cycles", c.c2c_hop_latency_cycles},
          {"c2c_serialize_cycles", c.c2c_serialize_cycles},
          {"c2c_frame_symbols", c.c2c_frame_symbols},
          {"c2c_frame_bits", c.c2c_frame_bits},
          {"c2c_frame_cycles", c.c2c_frame_cycles},
          {"c2c_fixed_cycles", c.c2c_fixed_cycles},
          {"c2c_receive_window_cycles", c.c2c_receive_window_cycles},
          {"hac_period_cycles", c.hac_period_cycles},
          {"fec", isa::kFecName},
          {"cables", cables_json(c)},
          {"queue_table", queues}};
}

std::string mib(uint64_t bytes) {
  return bytes % (1024 * 1024) == 0 ? fmt::format("{} MiB", bytes >> 20) : fmt::format("{} KiB", bytes >> 10);
}

void print_text(const isa::Config& c, bool list_queues) {
  const Derived d = derive(c);
  auto row = [](std::string_view k, const std::string& v) { fmt::print("  {:<20}{}\n", k, v); };
  fmt::print("configuration {}: {}\n", c.name, c.description);
  row("clock", fmt::format("{} MHz", c.clock_mhz));
  row("lanes", fmt::format("{} superlanes x {} = {} lanes; a vector is {} bytes", c.superlanes, c.lanes_per_superlane,
                           c.lanes, c.vector_bytes));
  row("streams", fmt::format("{} eastward + {} westward per lane", c.streams_per_direction, c.streams_per_direction));
  row("MEM",
      fmt::format("{} slices ({} per hemisphere) x {} addresses x {} B = {} SRAM, {} banks per slice", c.mem_slices,
                  c.mem_slices_per_hemisphere, c.mem_addresses, c.vector_bytes, mib(c.sram_bytes), c.mem_banks));
  row("MXM", fmt::format("{} planes of {}x{} = {} MACs, {} accumulator slots per plane", c.mxm_planes, c.mxm_dim,
                         c.mxm_dim, c.macs, c.mxm_acc_slots));
  row("VXM", fmt::format("{} ALUs per lane = {} ALUs", c.vxm_alus_per_lane, c.vxm_alus));
  row("queues", fmt::format("{} compute (MEM {}, SXM {}, MXM {}, VXM {}) + {} C2C = {}", c.compute_queues, c.mem_slices,
                            c.sxm_queues, c.mxm_queues, c.vxm_queues, c.c2c_queues, c.queues));
  row("peak", fmt::format("{:.1f} TOPS int8, {:.1f} TFLOPS fp16", d.peak_int8_tops, d.peak_fp16_tflops));
  row("SRAM bandwidth", fmt::format("{:.1f} TiB/s (one read and one write per slice per cycle)", d.sram_tib_per_s));
  row("C2C", fmt::format("{} links x {} lanes x {} Gb/s = {:.0f} GB/s each way; hop {} cycles; a vector serialises "
                         "in {} cycles",
                         c.c2c_links, c.c2c_lanes_per_link, c.c2c_mbps_per_lane / 1000.0, d.c2c_gbytes_per_s_each_way,
                         c.c2c_hop_latency_cycles, c.c2c_serialize_cycles));
  std::string cables;
  for (const auto& cable : isa::kCables)
    cables += fmt::format("{}{} {}", cables.empty() ? "" : ", ", cable.name, isa::c2c_hop_cycles(c, cable));
  row("C2C frame", fmt::format("{} symbols ({}) = {} bits, {} cycles on the wire; receive window {} cycles; hop "
                               "by cable: {} cycles; HAC period {} cycles",
                               c.c2c_frame_symbols, isa::kFecName, c.c2c_frame_bits, c.c2c_frame_cycles,
                               c.c2c_receive_window_cycles, cables, c.hac_period_cycles));
  row("host",
      fmt::format("{}, {:.1f} GB/s, {} ns latency", c.host_link, c.host_mbytes_per_s / 1000.0, c.host_latency_ns));
  row("floorplan",
      fmt::format("C2C | MXM x{0} | SXM | MEM x{1} | VXM | MEM x{1} | SXM | MXM x{0} | C2C ({2} positions)",
                  c.mxm_planes_per_hemisphere, c.mem_slices_per_hemisphere, c.positions));
  if (!list_queues) return;
  fmt::print("\n  {:>4}  {:<10}{:<5}{:>9}\n", "id", "queue", "unit", "position");
  for (size_t i = 0; i < c.queue_table.size(); ++i) {
    const auto& q = c.queue_table[i];
    fmt::print("  {:>4}  {:<10}{:<5}{:>9}\n", i, q.name, isa::unit_name(q.unit), q.position);
  }
}

// The SystemC module tree of one chip (docs/model.md): a module per line with
// its TLM sockets, and for unit modules the queues that drive them.
void print_modules(const isa::Config& c) {
  model::TspChip chip("chip0", c, 0);
  const auto line = [](const sc_core::sc_object& m, int depth) {
    std::string ports;
    for (const sc_core::sc_object* p : m.get_child_objects())
      if (std::string_view(p->kind()).ends_with("_socket"))
        ports += fmt::format("{}{} ({})", ports.empty() ? "  " : ", ", p->basename(), p->kind());
    std::string queues;
    if (const auto* u = dynamic_cast<const model::UnitModule*>(&m))
      queues = fmt::format("  [{} queue{}]", u->queues().size(), u->queues().size() == 1 ? "" : "s");
    fmt::print("{:{}}{}{}{}\n", "", 2 * depth, m.basename(), queues, ports);
  };
  line(chip, 0);
  for (const sc_core::sc_object* m : chip.get_child_objects())
    if (dynamic_cast<const sc_core::sc_module*>(m)) line(*m, 1);
}

// Options that would otherwise be ignored silently (tb/option_rules.hpp).
const OptionRule kRules[] = {
    {"--json", {}, {"--modules"}, "the module tree has no JSON form; --json describes the configuration"},
    {"--queues", {}, {"--modules"}, "it lists the configuration's queues, which --modules does not print"},
    {"--queues", {}, {"--json"}, "the JSON always holds the queue table"},
};

}  // namespace

void add_info(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("info", "Print the geometry and capacities of a configuration");
  auto config = std::make_shared<std::string>("tsp1");
  auto json = std::make_shared<bool>(false);
  auto queues = std::make_shared<bool>(false);
  std::string names;
  for (const auto& c : isa::kConfigs) names += (names.empty() ? "" : ", ") + std::string(c.name);
  cmd->add_option("-c,--config", *config, "Configuration: " + names)->capture_default_str();
  cmd->add_flag("--json", *json, "Machine-readable output");
  cmd->add_flag("--queues", *queues, "Also list every queue with its floorplan position");
  auto modules = std::make_shared<bool>(false);
  cmd->add_flag("--modules", *modules, "Print the SystemC module tree of one chip instead (docs/model.md)");
  cmd->callback([=, &exit_code] {
    check_option_rules(*cmd, "tsp info", kRules);
    const isa::Config* c = isa::find_config(*config);
    if (!c) throw Error(fmt::format("tsp info: error: unknown configuration '{}' (known: {})", *config, names));
    if (*modules)
      print_modules(*c);
    else if (*json)
      fmt::print("{}\n", to_json(*c).dump(2));
    else
      print_text(*c, *queues);
    exit_code = 0;
  });
}

}  // namespace tsp::cli
