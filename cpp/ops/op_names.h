// Names derived from an op's declared name (internal to cpp/ops).
#pragma once
#include <cctype>
#include <string>

namespace pyag {

// "leaky_relu" -> "LeakyReluBackward0", unless the declaration names its node.
inline std::string backward_name(const char* op, const char* declared) {
  if (declared) return declared;
  std::string r;
  bool up = true;
  for (const char* c = op; *c; ++c) {
    if (*c == '_') {
      up = true;
      continue;
    }
    r += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(*c))) : *c;
    up = false;
  }
  return r + "Backward0";
}

}  // namespace pyag
