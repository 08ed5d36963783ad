#pragma once
// One exception type for every user-facing error (bad program, bad image,
// schedule error). The message already carries the location ("file:line:col:
// error: ..." or "image.tsp@0x40: error: ..."), so callers print it verbatim.
#include <stdexcept>
#include <string>

namespace tsp {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace tsp
