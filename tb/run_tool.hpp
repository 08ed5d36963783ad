#pragma once
// Runs an external tool (rsvg-convert, scripts/wave-png) from an argument
// vector, never through a shell: a user's path reaches the tool as it is,
// whatever quotes, spaces or `$(...)` it holds.
#include <string>
#include <vector>

namespace tsp::cli {

struct ToolRun {
  std::vector<std::string> argv;  // argv[0] is looked up on PATH unless it holds a '/'
  std::string caller;             // "tsp compile": starts every error message
  std::string purpose;            // "rendering out.png": what failed, in the user's terms
  std::string hint;               // appended to errors, e.g. which package has the tool
  bool discard_stdout = false;    // stderr always reaches the user: tools explain failures there
};

// Runs the tool and waits for it. Throws tsp::Error "<caller>: error: <purpose>
// failed: ..." when it cannot be started or does not exit with 0.
void run_tool(const ToolRun& run);

// The command as a shell would need it typed, for messages a user may paste.
std::string shell_quoted(const std::vector<std::string>& argv);

}  // namespace tsp::cli
