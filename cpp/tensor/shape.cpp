#include "tensor/shape.h"

#include <limits>

#include "tensor/error.h"

namespace pyag {

Dims::Dims(std::initializer_list<int64_t> v) {
  for (int64_t x : v) push_back(x);
}

Dims::Dims(const std::vector<int64_t>& v) {
  for (int64_t x : v) push_back(x);
}

Dims Dims::filled(int n, int64_t value) {
  Dims d;
  d.resize(n, value);
  return d;
}

void Dims::push_back(int64_t v) {
  if (n_ >= kMaxDims) fail("shape", "at most ", kMaxDims, " dimensions are supported");
  d_[static_cast<size_t>(n_++)] = v;
}

void Dims::insert(int pos, int64_t v) {
  if (n_ >= kMaxDims) fail("shape", "at most ", kMaxDims, " dimensions are supported");
  for (int i = n_; i > pos; --i) d_[static_cast<size_t>(i)] = d_[static_cast<size_t>(i - 1)];
  d_[static_cast<size_t>(pos)] = v;
  ++n_;
}

void Dims::erase(int pos) {
  for (int i = pos; i + 1 < n_; ++i) d_[static_cast<size_t>(i)] = d_[static_cast<size_t>(i + 1)];
  --n_;
}

void Dims::resize(int n, int64_t fill) {
  if (n > kMaxDims) fail("shape", "at most ", kMaxDims, " dimensions are supported, got ", n);
  for (int i = n_; i < n; ++i) d_[static_cast<size_t>(i)] = fill;
  n_ = n;
}

bool Dims::operator==(const Dims& o) const {
  if (n_ != o.n_) return false;
  for (int i = 0; i < n_; ++i)
    if (d_[static_cast<size_t>(i)] != o.d_[static_cast<size_t>(i)]) return false;
  return true;
}

int64_t numel_of(const Dims& shape, const char* op) {
  int64_t n = 1;
  for (int64_t s : shape) {
    if (s < 0) fail<ValueError>(op, "negative dimension in shape ", shape_str(shape));
    if (s != 0 && n > std::numeric_limits<int64_t>::max() / s)
      fail<MemoryError>(op, "the number of elements of shape ", shape_str(shape),
                        " overflows a 64-bit integer");
    n *= s;
  }
  return n;
}

Dims contiguous_strides(const Dims& shape) {
  Dims st = Dims::filled(shape.size(), 1);
  int64_t acc = 1;
  for (int i = shape.size() - 1; i >= 0; --i) {
    st[i] = acc;
    acc *= shape[i] > 1 ? shape[i] : 1;
  }
  return st;
}

bool is_contiguous(const Dims& shape, const Dims& strides) {
  for (int i = 0; i < shape.size(); ++i)  // no element: contiguous whatever the strides (PyTorch)
    if (shape[i] == 0) return true;
  int64_t expected = 1;
  for (int i = shape.size() - 1; i >= 0; --i) {
    if (shape[i] != 1 && strides[i] != expected) return false;
    expected *= shape[i];
  }
  return true;
}

Dims broadcast_shapes(const Dims& a, const Dims& b, const char* op) {
  int n = a.size() > b.size() ? a.size() : b.size();
  Dims out = Dims::filled(n, 1);
  for (int i = 0; i < n; ++i) {
    int ia = i - (n - a.size()), ib = i - (n - b.size());
    int64_t sa = ia >= 0 ? a[ia] : 1, sb = ib >= 0 ? b[ib] : 1;
    if (sa != sb && sa != 1 && sb != 1)
      fail(op, "shapes ", shape_str(a), " and ", shape_str(b), " cannot be broadcast together");
    out[i] = sa == 1 ? sb : sa;
  }
  return out;
}

int wrap_dim(int64_t dim, int ndim, const char* op) {
  int64_t n = ndim == 0 ? 1 : ndim;  // a 0-d tensor accepts dim 0 and -1, as in PyTorch
  if (dim < -n || dim >= n)
    fail<IndexError>(op, "dimension out of range (expected to be in range of [", -n, ", ", n - 1,
                     "], but got ", dim, ")");
  return static_cast<int>(dim < 0 ? dim + n : dim);
}

Dims infer_shape(const Dims& requested, const Dims& input, const char* op) {
  const int64_t numel = numel_of(input, op);
  Dims out = requested;
  int infer = -1;
  int64_t known = 1;
  for (int i = 0; i < out.size(); ++i) {
    if (out[i] == -1) {
      if (infer >= 0)
        fail(op, "only one dimension can be inferred in shape ", shape_str(requested));
      infer = i;
    } else if (out[i] < 0) {
      fail(op, "invalid shape dimension ", out[i], " in ", shape_str(requested));
    } else {
      known *= out[i];
    }
  }
  if (infer >= 0) {
    if (known == 0 || numel % known != 0)
      fail(op, "shape ", shape_str(requested), " is invalid for input of shape ", shape_str(input),
           " (", numel, " elements)");
    out[infer] = numel / known;
  } else if (known != numel) {
    fail(op, "shape ", shape_str(requested), " is invalid for input of shape ", shape_str(input),
         " (", numel, " elements)");
  }
  return out;
}

bool view_strides(const Dims& shape, const Dims& strides, const Dims& new_shape, Dims& out) {
  // Walk groups of old dims that are mutually contiguous ("chunks") and split them into new dims.
  out = Dims::filled(new_shape.size(), 1);
  int64_t numel = 1;
  for (int64_t s : shape) numel *= s;
  if (numel <= 1) {
    out = contiguous_strides(new_shape);
    return true;
  }
  int view_d = new_shape.size() - 1;
  int64_t chunk_base_stride = shape.size() ? strides.back() : 1;
  int64_t tensor_numel = 1, view_numel = 1;
  for (int d = shape.size() - 1; d >= 0; --d) {
    tensor_numel *= shape[d];
    if (d == 0 || (shape[d - 1] != 1 && strides[d - 1] != tensor_numel * chunk_base_stride)) {
      while (view_d >= 0 && (view_numel < tensor_numel || new_shape[view_d] == 1)) {
        out[view_d] = view_numel * chunk_base_stride;
        view_numel *= new_shape[view_d];
        --view_d;
      }
      if (view_numel != tensor_numel) return false;
      if (d > 0) {
        chunk_base_stride = strides[d - 1];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  return view_d == -1;
}

std::string shape_str(const Dims& s) {
  std::string r = "(";
  for (int i = 0; i < s.size(); ++i) {
    if (i) r += ", ";
    r += std::to_string(s[i]);
  }
  if (s.size() == 1) r += ",";
  return r + ")";
}

}  // namespace pyag
