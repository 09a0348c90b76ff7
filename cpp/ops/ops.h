// The public, differentiable operations: validate -> promote/broadcast -> allocate -> kernel ->
// record the backward node. Every error names the op and the shapes or dtypes.
#pragma once
#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kernels/binary_ops.h"
#include "kernels/unary_ops.h"
#include "tensor/tensor.h"

namespace pyag {

class Generator;  // ops/generator.h

// A Python-style number: its value and its kind, which decides promotion (int64 * 2 stays
// int64, int64 * 2.5 is float32).
struct Scalar {
  double v = 0;
  ScalarKind kind = ScalarKind::Float;
  Scalar() = default;
  Scalar(double value, ScalarKind k = ScalarKind::Float) : v(value), kind(k) {}  // NOLINT
};

// ---- the declared elementwise ops (kernels/unary_ops.h, kernels/binary_ops.h) ----
namespace detail {
template <class Op>
constexpr int unary_index = static_cast<int>(index_of<Op, unary::List>);
template <class Op>
constexpr int binary_index = static_cast<int>(index_of<Op, binary::List>);

Tensor apply_unary(int op, const Tensor& x, const ScalarArgs& p);
const Tensor& apply_unary_(int op, const Tensor& self, const ScalarArgs& p);
Tensor apply_binary(int op, const Tensor& a, const Tensor& b);
Tensor apply_binary(int op, const Tensor& a, Scalar s, bool scalar_first);
// The same, but s / t divides (torch.div(number, t), where PyTorch wraps the number as a
// tensor) where apply_binary computes the operator's reciprocal(t) * s.
Tensor apply_binary_number_first(int op, const Tensor& a, Scalar s, bool scalar_first);
// a * alpha for add/sub's alpha: as mul, but its node keeps no number (PyTorch's AddBackward0
// saves alpha as a plain scalar), so a second backward pass through it does not raise.
Tensor scale_by_alpha(const Tensor& a, Scalar alpha);
const Tensor& apply_binary_(int op, const Tensor& self, const Tensor& other);
const Tensor& apply_binary_(int op, const Tensor& self, Scalar s);
DType binary_compute_dtype(int op, DType a, DType b);

template <class Op>
constexpr size_t num_params = std::tuple_size_v<std::decay_t<decltype(Op::params)>>;
template <class Op>
constexpr size_t num_required() {
  size_t n = 0;
  for (const Param& p : Op::params) n += p.default_value == kRequired;
  return n;
}
// The parameters of a call: those given (std::nullopt: None), then the defaults.
template <class Op, class... P>
ScalarArgs unary_args(const P&... given) {
  static_assert(sizeof...(P) <= num_params<Op>, "too many parameters for this op");
  static_assert(sizeof...(P) >= num_required<Op>(), "a required parameter of this op is missing");
  const std::optional<double> v[] = {std::optional<double>(given)..., std::nullopt};
  ScalarArgs a;
  a.n = static_cast<int>(num_params<Op>);
  for (int i = 0; i < a.n; ++i)
    a[i] = i < static_cast<int>(sizeof...(P)) ? v[i].value_or(kOptional)
                                              : Op::params[static_cast<size_t>(i)].default_value;
  return a;
}
}  // namespace detail

// Every unary op `f` of kernels/unary_ops.h is `f(x, params...)`, and in place `f_(self,
// params...)`: sin(x), clamp(x, 0.0, std::nullopt), clamp_(x, std::nullopt, 1.0). Parameters
// left out take their declared defaults.
#define PYAG_UNARY_FN(op)                                                  \
  template <class... P>                                                    \
  Tensor op(const Tensor& x, const P&... params) {                         \
    return detail::apply_unary(detail::unary_index<unary::op>, x,          \
                               detail::unary_args<unary::op>(params...));  \
  }                                                                        \
  template <class... P>                                                    \
  const Tensor& op##_(const Tensor& self, const P&... params) {            \
    return detail::apply_unary_(detail::unary_index<unary::op>, self,      \
                                detail::unary_args<unary::op>(params...)); \
  }
PYAG_UNARY_OPS(PYAG_UNARY_FN)
#undef PYAG_UNARY_FN

// Every binary op `f` of kernels/binary_ops.h is f(a, b) with broadcasting, f(a, 2.0),
// f(2.0, a), and in place f_(self, other), f_(self, 2.0).
#define PYAG_BINARY_FN(op)                                                       \
  inline Tensor op(const Tensor& a, const Tensor& b) {                           \
    return detail::apply_binary(detail::binary_index<binary::op>, a, b);         \
  }                                                                              \
  inline Tensor op(const Tensor& a, Scalar b) {                                  \
    return detail::apply_binary(detail::binary_index<binary::op>, a, b, false);  \
  }                                                                              \
  inline Tensor op(Scalar a, const Tensor& b) {                                  \
    return detail::apply_binary(detail::binary_index<binary::op>, b, a, true);   \
  }                                                                              \
  inline const Tensor& op##_(const Tensor& self, const Tensor& other) {          \
    return detail::apply_binary_(detail::binary_index<binary::op>, self, other); \
  }                                                                              \
  inline const Tensor& op##_(const Tensor& self, Scalar other) {                 \
    return detail::apply_binary_(detail::binary_index<binary::op>, self, other); \
  }
PYAG_BINARY_OPS(PYAG_BINARY_FN)
#undef PYAG_BINARY_FN

// add and sub with alpha: a +/- alpha * b, as torch.add(a, b, alpha=alpha); a floating alpha
// needs a floating operand, and two bool operands a bool alpha (alpha.cpp).
Tensor add(const Tensor& a, const Tensor& b, Scalar alpha);
Tensor add(const Tensor& a, Scalar b, Scalar alpha);
Tensor sub(const Tensor& a, const Tensor& b, Scalar alpha);
Tensor sub(const Tensor& a, Scalar b, Scalar alpha);
const Tensor& add_(const Tensor& self, const Tensor& b, Scalar alpha);
const Tensor& add_(const Tensor& self, Scalar b, Scalar alpha);
const Tensor& sub_(const Tensor& self, const Tensor& b, Scalar alpha);
const Tensor& sub_(const Tensor& self, Scalar b, Scalar alpha);
// a +/- alpha * b with a number first (torch.add(2, t, alpha=k)); the number promotes as a
// Python scalar.
Tensor add(Scalar a, const Tensor& b, Scalar alpha);
Tensor sub(Scalar a, const Tensor& b, Scalar alpha);

// The dtype binary op Op computes in for operands of dtypes a and b (throws as the op would).
template <class Op>
DType compute_dtype(DType a, DType b) {
  return detail::binary_compute_dtype(detail::binary_index<Op>, a, b);
}

// ---- out= (out.cpp) ----
// Which dtypes of out= an op takes: those the result casts to (a RuntimeError otherwise, or
// a TypeError as torch.cat/stack raise), or only the result's (torch.isposinf's rule).
enum class OutDtype : uint8_t { Cast, CastTypeError, Exact };
// Writes result into out for op(..., out=out), as PyTorch: refuses a result or an out that
// requires grad and a dtype the rule refuses; resizes an out of another shape (with a warning
// when it had elements; a view cannot be resized).
const Tensor& write_out(const Tensor& out, const Tensor& result, const char* op,
                        OutDtype rule = OutDtype::Cast);
bool can_cast(DType from, DType to);

// ---- other elementwise ops (where_cast.cpp) ----
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);
Tensor where(const Tensor& cond, const Tensor& a, Scalar b);  // promoted as result_type says
Tensor where(const Tensor& cond, Scalar a, const Tensor& b);
Tensor where(const Tensor& cond, Scalar a, Scalar b);
Tensor cast(const Tensor& a, DType dtype);  // differentiable dtype conversion (`to`)

// ---- reductions (reduce.cpp) ----
Tensor sum(const Tensor& a, const std::vector<int64_t>& dims, bool keepdim);  // dims empty: all
Tensor mean(const Tensor& a, const std::vector<int64_t>& dims, bool keepdim);
Tensor extreme(const Tensor& a, bool is_max);  // max()/min() over everything
std::pair<Tensor, Tensor> extreme_dim(const Tensor& a, int64_t dim, bool keepdim, bool is_max);
// The index of the largest (smallest) value along dim, or of the flattened tensor (keepdim: as
// a tensor of a's number of dims, all of size 1); the first among equals; int64, no gradient.
Tensor argmax(const Tensor& a, std::optional<int64_t> dim = std::nullopt, bool keepdim = false);
Tensor argmin(const Tensor& a, std::optional<int64_t> dim = std::nullopt, bool keepdim = false);
// More reductions (ops/reduce_more.cpp); dims empty: all of them. prod of bool/int is int64;
// all/any return bool (uint8 for uint8); logsumexp of integers is computed in the default float
// dtype.
// dtype (prod, norm): the input cast to it first.
Tensor prod(const Tensor& a, std::optional<int64_t> dim, bool keepdim,
            std::optional<DType> dtype = std::nullopt);
Tensor all(const Tensor& a, const std::vector<int64_t>& dims, bool keepdim);
Tensor any(const Tensor& a, const std::vector<int64_t>& dims, bool keepdim);
Tensor logsumexp(const Tensor& a, const std::vector<int64_t>& dims, bool keepdim);
Tensor var(const Tensor& a, const std::vector<int64_t>& dims, double correction, bool keepdim);
Tensor std_dev(const Tensor& a, const std::vector<int64_t>& dims, double correction, bool keepdim);
// The vector p-norm (p: any number, inf, -inf; 0 counts the non-zero elements).
Tensor norm(const Tensor& a, double p, const std::vector<int64_t>& dims, bool keepdim,
            std::optional<DType> dtype = std::nullopt);
// The running sum along dim; bool and integers sum as int64 (dtype: cast first).
Tensor cumsum(const Tensor& a, int64_t dim, std::optional<DType> dtype);
// The running product along dim (as cumsum); its gradient is exact where x has zeros.
Tensor cumprod(const Tensor& a, int64_t dim, std::optional<DType> dtype);
// sum/mean(dtype=): the input cast to dtype first, the result of dtype (mean: a float dtype).
Tensor sum(const Tensor& a, const std::vector<int64_t>& dims, bool keepdim, DType dtype);
Tensor mean(const Tensor& a, const std::vector<int64_t>& dims, bool keepdim, DType dtype);

// ---- linear algebra (linalg.cpp) ----
Tensor mm(const Tensor& a, const Tensor& b);
Tensor bmm(const Tensor& a, const Tensor& b);
Tensor matmul(const Tensor& a, const Tensor& b);

// ---- more linear algebra (linalg_more.cpp): compositions, errors name the op ----
Tensor dot(const Tensor& a, const Tensor& b);
Tensor outer(const Tensor& a, const Tensor& b);
Tensor addmm(const Tensor& input, const Tensor& mat1, const Tensor& mat2, Scalar beta = 1.0,
             Scalar alpha = 1.0);
Tensor baddbmm(const Tensor& input, const Tensor& batch1, const Tensor& batch2, Scalar beta = 1.0,
               Scalar alpha = 1.0);
const Tensor& addmm_(const Tensor& self, const Tensor& mat1, const Tensor& mat2, Scalar beta = 1.0,
                     Scalar alpha = 1.0);
const Tensor& baddbmm_(const Tensor& self, const Tensor& batch1, const Tensor& batch2,
                       Scalar beta = 1.0, Scalar alpha = 1.0);

// ---- softmax (softmax.cpp): fused kernels; dtype converts the input first ----
Tensor softmax(const Tensor& x, int64_t dim, std::optional<DType> dtype = std::nullopt);
Tensor log_softmax(const Tensor& x, int64_t dim, std::optional<DType> dtype = std::nullopt);

// ---- shape and views (shape_ops.cpp) ----
Tensor transpose(const Tensor& a, int64_t d0, int64_t d1);
Tensor t(const Tensor& a);
Tensor permute(const Tensor& a, const std::vector<int64_t>& dims);
Tensor view(const Tensor& a, const Dims& shape);
Tensor reshape(const Tensor& a, const Dims& shape);
Tensor expand(const Tensor& a, const Dims& shape);
Tensor squeeze(const Tensor& a, std::optional<int64_t> dim);
Tensor unsqueeze(const Tensor& a, int64_t dim);
// Dims start_dim..end_dim merged into one (a view when the memory allows); the tensor itself
// when they are one dim, as PyTorch; a 0-d tensor becomes 1-D.
Tensor flatten(const Tensor& a, int64_t start_dim = 0, int64_t end_dim = -1);
// In place: the tensor takes the view's layout and history (view_inplace.cpp).
const Tensor& t_(const Tensor& self);
const Tensor& transpose_(const Tensor& self, int64_t d0, int64_t d1);
const Tensor& squeeze_(const Tensor& self, std::optional<int64_t> dim);
const Tensor& unsqueeze_(const Tensor& self, int64_t dim);
Tensor contiguous(const Tensor& a);
Tensor clone(const Tensor& a);

// ---- joining and splitting (join.cpp): cat/stack copy; the pieces of split are views ----
Tensor concat(const std::vector<Tensor>& ts, int64_t dim, const char* op = "cat");  // torch.cat
Tensor stack(const std::vector<Tensor>& ts, int64_t dim);
Tensor hstack(const std::vector<Tensor>& ts);
Tensor vstack(const std::vector<Tensor>& ts);
Tensor narrow(const Tensor& a, int64_t dim, int64_t start, int64_t length);
std::vector<Tensor> split(const Tensor& a, int64_t size, int64_t dim);
std::vector<Tensor> split_sizes(const Tensor& a, const std::vector<int64_t>& sizes, int64_t dim);
std::vector<Tensor> chunk(const Tensor& a, int64_t chunks, int64_t dim);
std::vector<Tensor> unbind(const Tensor& a, int64_t dim);

// ---- rearranging (rearrange.cpp): flip, roll, repeat, tile copy; movedim is a view ----
Tensor flip(const Tensor& a, const std::vector<int64_t>& dims);
Tensor roll(const Tensor& a, const std::vector<int64_t>& shifts, const std::vector<int64_t>& dims);
Tensor repeat(const Tensor& a, const Dims& repeats);
Tensor tile(const Tensor& a, const Dims& reps);
Tensor movedim(const Tensor& a, const std::vector<int64_t>& source,
               const std::vector<int64_t>& destination);

// ---- indexing along a dim by an int64 index tensor (gather.cpp) ----
Tensor gather(const Tensor& a, int64_t dim, const Tensor& index);
Tensor scatter(const Tensor& a, int64_t dim, const Tensor& index, const Tensor& src);
Tensor scatter(const Tensor& a, int64_t dim, const Tensor& index, Scalar value);
Tensor scatter_add(const Tensor& a, int64_t dim, const Tensor& index, const Tensor& src);
const Tensor& scatter_(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src,
                       bool accumulate = false);
const Tensor& scatter_(const Tensor& self, int64_t dim, const Tensor& index, Scalar value,
                       bool accumulate = false);
Tensor index_select(const Tensor& a, int64_t dim, const Tensor& index);
Tensor index_add(const Tensor& a, int64_t dim, const Tensor& index, const Tensor& src,
                 Scalar alpha = Scalar{1.0, ScalarKind::Int});
Tensor index_copy(const Tensor& a, int64_t dim, const Tensor& index, const Tensor& src);
Tensor index_fill(const Tensor& a, int64_t dim, const Tensor& index, Scalar value);
const Tensor& index_add_(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src,
                         Scalar alpha = Scalar{1.0, ScalarKind::Int});
const Tensor& index_copy_(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src);
const Tensor& index_fill_(const Tensor& self, int64_t dim, const Tensor& index, Scalar value);
Tensor take(const Tensor& a, const Tensor& index);

// ---- indexing (index.cpp) ----
struct IndexItem {
  enum Kind : uint8_t { Int, Slice, NewAxis, Ellipsis } kind = Int;
  int64_t start = 0;  // Int: the index; Slice: start (kNone when omitted)
  int64_t stop = 0;
  int64_t step = 1;
};
constexpr int64_t kNone = INT64_MIN;
// `label` names the backward node (PyTorch's name for the view op that made it: split's
// SplitBackward0...); by default the name PyTorch gives a[items] (SelectBackward0,
// SliceBackward0, UnsqueezeBackward0).
Tensor index(const Tensor& a, const std::vector<IndexItem>& items, const char* label = nullptr);
// a[mask]: a bool mask over a's leading dims (the shapes must match), the selected rows copied.
Tensor index(const Tensor& a, const Tensor& mask);
void index_put(const Tensor& a, const std::vector<IndexItem>& items, const Tensor& value);
void index_put(const Tensor& a, const std::vector<IndexItem>& items, Scalar value);
// a[mask] = value, the mask as index(a, mask) reads it.
void masked_put(const Tensor& a, const Tensor& mask, const Tensor& value);
void masked_put(const Tensor& a, const Tensor& mask, Scalar value);
// torch.masked_select: the elements where the bool mask (broadcast with a) is true, as 1-D.
Tensor masked_select(const Tensor& a, const Tensor& mask);
// masked_fill: a bool mask broadcast with a; a tensor value must be 0-d; the result keeps a's
// dtype. In place, the mask broadcasts to a's shape.
Tensor masked_fill(const Tensor& a, const Tensor& mask, Scalar value);
Tensor masked_fill(const Tensor& a, const Tensor& mask, const Tensor& value);
const Tensor& masked_fill_(const Tensor& a, const Tensor& mask, Scalar value);
const Tensor& masked_fill_(const Tensor& a, const Tensor& mask, const Tensor& value);

// ---- advanced indexing (advanced_index.cpp): int64 index tensors and bool masks among basic
// items; reads copy, writes are index_put (accumulate: repeated indices sum) ----
struct IndexEntry {
  IndexItem item;  // a basic item, when tensor is empty
  Tensor tensor;   // an int64 index tensor or a bool mask
};
Tensor index_advanced(const Tensor& a, const std::vector<IndexEntry>& entries);
Tensor index_put(const Tensor& a, const std::vector<IndexEntry>& entries, const Tensor& values,
                 bool accumulate);
const Tensor& index_put_(const Tensor& a, const std::vector<IndexEntry>& entries,
                         const Tensor& values, bool accumulate);

// ---- in-place (inplace.cpp): return the tensor itself ----
const Tensor& fill_(const Tensor& self, Scalar value);
const Tensor& fill_unchecked(const Tensor& self, Scalar value);  // fill_ without check_fits
const Tensor& fill_(const Tensor& self, const Tensor& value);  // a 1-element value, differentiable
const Tensor& zero_(const Tensor& self);
const Tensor& copy_(const Tensor& self, const Tensor& src);
// Refuses an in-place change that autograd cannot follow (a leaf that requires grad, a view of
// one); true when the change must be recorded in the graph (see commit_inplace).
bool check_inplace(const Tensor& self, bool other_requires_grad, const char* op);
// check_inplace without the overlap check, for writes of one value (fill_, masked_fill_).
bool inplace_needs_graph(const Tensor& self, bool other_requires_grad, const char* op);
// Writes an out-of-place result (with its history) into self.
const Tensor& commit_inplace(const Tensor& self, const Tensor& result);
// Whether a and b share memory without being the same view.
bool overlaps(const Tensor& a, const Tensor& b);

// ---- tensors of one value, and the read of one element (constant.cpp); no autograd ----
Tensor zeros(const Dims& shape, DType dtype);
Tensor full(const Dims& shape, double value, DType dtype);
// PyTorch's check when a Python number becomes one element of a tensor of dtype d (fill_,
// full, masked_fill, index_fill, x[i] = number): "value cannot be converted to type int64_t
// without overflow" for NaN, inf or out-of-range floats into integers, and finite floats beyond
// float32's range into float32 (c10::overflows). Arithmetic ops do not check (they wrap).
void check_fits(Scalar value, DType d, const char* op);
// The double to write for a Python int into an integer dtype: wrapped as C++ converts int64
// (-1 into uint8 is 255), as PyTorch; any other value unchanged.
double element_value(Scalar value, DType d);
Tensor scalar_tensor(double value, DType dtype);
// Element `index` of t as a double; for tests, item() and printing (refused under capture).
double get_double(const Tensor& t, const Dims& index);
// How a one-element tensor becomes a number: item(), float(), int(), bool(), operator.index().
enum class NumberUse : uint8_t { Item, Float, Int, Bool, Index };
// Refuses, with PyTorch's error for that use, a tensor that is not exactly one element (Index:
// or is floating).
void check_number(const Tensor& a, NumberUse use);
double item(const Tensor& a);  // the value of a one-element tensor
// Refuses every device but the CPU ("cpu", "cpu:<index>"): device= arguments and to().
void check_device(const std::string& device, const char* op);

// ---- creation (creation.cpp) ----
// ---- random (random.cpp): PyTorch's algorithms on the given generator (null: the global
// one, generator.h); the in-place ones refuse a leaf that requires grad ----
void manual_seed(uint64_t seed, Generator* gen = nullptr);
Tensor randn(const Dims& shape, DType dtype, Generator* gen = nullptr);
Tensor rand(const Dims& shape, DType dtype, Generator* gen = nullptr);
Tensor randint(int64_t low, int64_t high, const Dims& shape, DType dtype, Generator* gen = nullptr);
Tensor randperm(int64_t n, DType dtype, Generator* gen = nullptr);
const Tensor& normal_(const Tensor& self, double mean, double std, Generator* gen = nullptr);
const Tensor& uniform_(const Tensor& self, double from, double to, Generator* gen = nullptr);
// random_(): [0, max] of self's dtype; random_(from, to): [from, to); to = nullopt: [from, max].
const Tensor& random_(const Tensor& self, std::optional<int64_t> from, std::optional<int64_t> to,
                      Generator* gen = nullptr);
// 1 with probability p[i], in p's (floating) dtype
Tensor bernoulli(const Tensor& p, Generator* gen = nullptr);
const Tensor& bernoulli_(const Tensor& self, double p, Generator* gen = nullptr);
// p broadcast to self
const Tensor& bernoulli_(const Tensor& self, const Tensor& p, Generator* gen = nullptr);
// An uninitialized tensor laid out as t in memory when t's elements tile it (PyTorch's
// empty_like), else row-major.
Tensor empty_like_dense(const Tensor& t, DType dtype);
// The uninitialized result of a pointwise op over `inputs` (shape: their broadcast shape), laid
// out as PyTorch's TensorIterator lays it out: contiguous when every input is; the inputs'
// strides when they all have the result's shape and one non-overlapping dense layout (and no
// number operand takes part); else dense in the order of the inputs' strides (the first input
// that orders two dims decides). Inputs of a dtype other than `compute` are seen as PyTorch's
// CPU casts make them (their layout if dense, else contiguous).
Tensor empty_pointwise(const Dims& shape, DType dtype, DType compute,
                       std::initializer_list<const Tensor*> inputs, bool number_operand = false);

// ---- creation (creation.cpp) ----
Tensor arange(double start, double end, double step, DType dtype);
Tensor linspace(double start, double end, int64_t steps, DType dtype);

// Shared helpers of the op files.
Tensor new_view(const Tensor& a, const Dims& shape, const Dims& strides, int64_t offset);
std::vector<int> wrap_dims(const std::vector<int64_t>& dims, int ndim, const char* op);

}  // namespace pyag
