// Shapes and strides: a fixed-capacity inline vector (no heap allocation per tensor) and the
// pure functions on them (broadcasting, contiguity, formatting).
#pragma once
#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace pyag {

constexpr int kMaxDims = 12;

class Dims {
 public:
  Dims() = default;
  Dims(std::initializer_list<int64_t> v);
  explicit Dims(const std::vector<int64_t>& v);
  static Dims filled(int n, int64_t value);

  int size() const { return n_; }
  bool empty() const { return n_ == 0; }
  int64_t operator[](int i) const { return d_[static_cast<size_t>(i)]; }
  int64_t& operator[](int i) { return d_[static_cast<size_t>(i)]; }
  const int64_t* begin() const { return d_.data(); }
  const int64_t* end() const { return d_.data() + n_; }
  int64_t back() const { return d_[static_cast<size_t>(n_ - 1)]; }
  void push_back(int64_t v);
  void insert(int pos, int64_t v);
  void erase(int pos);
  void resize(int n, int64_t fill = 0);
  std::vector<int64_t> vec() const { return {begin(), end()}; }
  bool operator==(const Dims& o) const;
  bool operator!=(const Dims& o) const { return !(*this == o); }

 private:
  std::array<int64_t, kMaxDims> d_{};
  int n_ = 0;
};

// Product of the sizes; throws MemoryError-like overflow error (via the caller's op name).
int64_t numel_of(const Dims& shape, const char* op);
Dims contiguous_strides(const Dims& shape);
bool is_contiguous(const Dims& shape, const Dims& strides);
// Broadcast two shapes as NumPy does; throws "[op] shapes (..) and (..) cannot be broadcast".
Dims broadcast_shapes(const Dims& a, const Dims& b, const char* op);
// Wraps a possibly negative dim into [0, ndim); throws IndexError naming the op.
int wrap_dim(int64_t dim, int ndim, const char* op);
// Resolves a single -1 in a requested shape against numel; throws naming the op.
Dims infer_shape(const Dims& requested, const Dims& input, const char* op);
// Strides that view a tensor of (shape, strides) as new_shape without copying, or false.
bool view_strides(const Dims& shape, const Dims& strides, const Dims& new_shape, Dims& out);
// "(3, 4)"
std::string shape_str(const Dims& s);

}  // namespace pyag
