// External tools from an argument vector (tb/run_tool.hpp).
#include "tb/run_tool.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>

#include "common/error.hpp"

extern char** environ;

namespace tsp::cli {
namespace {

// What a status from waitpid says, in words.
std::string outcome(int status) {
  if (WIFEXITED(status)) return fmt::format("exited with {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return fmt::format("was killed by signal {}", WTERMSIG(status));
  return fmt::format("ended with status {}", status);
}

}  // namespace

void run_tool(const ToolRun& run) {
  const auto fail = [&](const std::string& what) {
    return Error(fmt::format("{}: error: {} failed: `{}` {}{}", run.caller, run.purpose, shell_quoted(run.argv), what,
                             run.hint.empty() ? "" : " (" + run.hint + ")"));
  };
  std::vector<char*> argv;
  for (const auto& a : run.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (run.discard_stdout) posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int err = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (err != 0) throw fail(fmt::format("could not start: {}", std::strerror(err)));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) throw fail(fmt::format("could not be waited for: {}", std::strerror(errno)));
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw fail(outcome(status));
}

std::string shell_quoted(const std::vector<std::string>& argv) {
  static constexpr std::string_view kPlain = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:+,@%";
  std::string s;
  for (const auto& a : argv) {
    s += s.empty() ? "" : " ";
    if (!a.empty() && a.find_first_not_of(kPlain) == std::string::npos) {
      s += a;
      continue;
    }
    s += '\'';
    for (const char c : a) s += c == '\'' ? std::string("'\\''") : std::string(1, c);
    s += '\'';
  }
  return s;
}

}  // namespace tsp::cli
