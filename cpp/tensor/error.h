// Exceptions of the core. Each maps to a Python exception type in the bindings; every message
// starts with the op in brackets: "[mm] cannot multiply (3, 4) by (3, 4)".
#pragma once
#include <sstream>
#include <stdexcept>
#include <string>

namespace pyag {

struct RuntimeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct TypeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct ValueError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct IndexError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// An index out of range in an indexing op: Python's IndexOutOfRangeError, both an IndexError
// and a RuntimeError (PyTorch raises either, depending on the op).
struct IndexRangeError : IndexError {
  using IndexError::IndexError;
};
struct MemoryError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

template <class... Args>
std::string cat(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}

template <class E = RuntimeError, class... Args>
[[noreturn]] void fail(const char* op, const Args&... args) {
  throw E(cat("[", op, "] ", args...));
}

}  // namespace pyag
