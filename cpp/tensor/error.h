// Exceptions of the core. Each maps to a Python exception type in the bindings; every message
// starts with the op in brackets: "[mm] cannot multiply (3, 4) by (3, 4)".
#pragma once
#include <cstdio>
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

// A warning (PyTorch's UserWarning), e.g. an out= tensor resized. The bindings install a handler
// that hands it to Python's warnings module, whose filters may make it an exception (the
// handler then throws); without a handler it goes to stderr.
using WarnHandler = void (*)(const std::string& message);
inline WarnHandler& warn_handler() {
  static WarnHandler handler = nullptr;
  return handler;
}
template <class... Args>
void warn(const char* op, const Args&... args) {
  const std::string m = cat("[", op, "] ", args...);
  if (WarnHandler h = warn_handler())
    h(m);
  else
    std::fprintf(stderr, "Warning: %s\n", m.c_str());
}

}  // namespace pyag
