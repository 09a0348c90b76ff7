// DLPack structs' lifetime and layout (cpp/interop/dlpack.cpp), without Python: exported
// tensors keep their storage alive, every deleter runs exactly once, refused imports own
// nothing. Run under --preset asan these also prove there is no double free or leak.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "interop/dlpack.h"
#include "ops/ops.h"

namespace pyag {
namespace {

using namespace dlpack;

Tensor iota(const Dims& shape) {
  Tensor t = empty(shape, DType::Float32);
  for (int64_t i = 0; i < t->numel; ++i) t->data_as<float>()[i] = static_cast<float>(i);
  return t;
}

// A foreign producer: owns a vector, counts its deleter's calls.
struct Foreign {
  std::vector<float> data;
  std::vector<int64_t> shape, strides;
  DLManagedTensorVersioned managed{};
  int* deletions;
};

void foreign_deleter(DLManagedTensorVersioned* self) {
  auto* f = static_cast<Foreign*>(self->manager_ctx);
  ++*f->deletions;
  delete f;
}

DLManagedTensorVersioned* make_foreign(int* deletions, std::vector<int64_t> shape,
                                       std::vector<int64_t> strides, size_t n,
                                       DLDataType dtype = {kDLFloat, 32, 1}, uint64_t flags = 0) {
  auto* f = new Foreign{std::vector<float>(n), std::move(shape), std::move(strides), {}, deletions};
  for (size_t i = 0; i < n; ++i) f->data[i] = static_cast<float>(i);
  DLManagedTensorVersioned& m = f->managed;
  m.version = {1, 0};
  m.manager_ctx = f;
  m.deleter = &foreign_deleter;
  m.flags = flags;
  m.dl_tensor.data = f->data.data();
  m.dl_tensor.device = {kDLCPU, 0};
  m.dl_tensor.ndim = static_cast<int32_t>(f->shape.size());
  m.dl_tensor.dtype = dtype;
  m.dl_tensor.shape = f->shape.data();
  m.dl_tensor.strides = f->strides.empty() ? nullptr : f->strides.data();
  return &m;
}

TEST(DLPackExport, DescribesAViewWithoutCopying) {
  Tensor base = iota({4, 6});
  Tensor view = make_view(base, {3, 2}, {1, 6}, 7);  // a transposed, offset window
  DLManagedTensorVersioned* m = export_versioned(view, false);
  const DLTensor& dl = m->dl_tensor;
  EXPECT_EQ(m->version.major, 1u);
  EXPECT_EQ(m->flags, 0u);
  EXPECT_EQ(dl.device.device_type, kDLCPU);
  EXPECT_EQ(dl.ndim, 2);
  EXPECT_EQ(dl.dtype.code, kDLFloat);
  EXPECT_EQ(dl.dtype.bits, 32);
  EXPECT_EQ(dl.dtype.lanes, 1);
  EXPECT_EQ(dl.shape[0], 3);
  EXPECT_EQ(dl.shape[1], 2);
  EXPECT_EQ(dl.strides[0], 1);
  EXPECT_EQ(dl.strides[1], 6);
  EXPECT_EQ(static_cast<char*>(dl.data) + dl.byte_offset, view->data());
  m->deleter(m);
}

TEST(DLPackExport, KeepsTheStorageAliveUntilTheDeleterRuns) {
  DLManagedTensorVersioned* m;
  {
    Tensor t = iota({5});
    m = export_versioned(t, false);
  }  // the tensor is gone; the export still holds its storage
  const auto* p = reinterpret_cast<const float*>(static_cast<char*>(m->dl_tensor.data));
  EXPECT_EQ(p[4], 4.0f);  // ASan would report a use after free here
  m->deleter(m);
}

TEST(DLPackExport, CopyIsIndependentAndFlagged) {
  Tensor t = iota({2, 3});
  Tensor tt = make_view(t, {3, 2}, {1, 3}, 0);
  DLManagedTensorVersioned* m = export_versioned(tt, true);
  EXPECT_EQ(m->flags & kFlagIsCopied, kFlagIsCopied);
  EXPECT_NE(m->dl_tensor.data, t->data());
  EXPECT_EQ(m->dl_tensor.strides[0], 2);  // contiguous
  EXPECT_EQ(m->dl_tensor.strides[1], 1);
  const auto* p = static_cast<const float*>(m->dl_tensor.data);
  EXPECT_EQ(p[1], 3.0f);  // tt[0][1] = t[1][0]
  m->deleter(m);
}

TEST(DLPackExport, LegacyStructAndDtypes) {
  const std::pair<DType, DLDataType> cases[] = {{DType::Bool, {kDLBool, 8, 1}},
                                                {DType::Int64, {kDLInt, 64, 1}},
                                                {DType::Float64, {kDLFloat, 64, 1}}};
  for (auto [dtype, expected] : cases) {
    DLManagedTensor* m = export_legacy(zeros({2}, dtype));
    EXPECT_EQ(m->dl_tensor.dtype.code, expected.code);
    EXPECT_EQ(m->dl_tensor.dtype.bits, expected.bits);
    m->deleter(m);
  }
}

TEST(DLPackRoundTrip, OwnExportSharesStorageAndVersionCounter) {
  Tensor base = iota({4, 6});
  Tensor view = make_view(base, {2, 3}, {6, 2}, 1);
  Tensor back = import_versioned(export_versioned(view, false), nullptr);
  EXPECT_EQ(back->storage, base->storage);  // the same storage: one version counter
  EXPECT_EQ(back->offset, 1);
  EXPECT_EQ(back->strides, (Dims{6, 2}));
  EXPECT_EQ(back->data(), view->data());
  Tensor legacy = import_legacy(export_legacy(view), nullptr);
  EXPECT_EQ(legacy->storage, base->storage);
}

TEST(DLPackImport, ForeignMemoryIsSharedAndReleasedOnce) {
  int deletions = 0;
  DLManagedTensorVersioned* m = make_foreign(&deletions, {2, 3}, {1, 2}, 6);
  float* producer_data = static_cast<float*>(m->dl_tensor.data);
  {
    Tensor t = import_versioned(m, nullptr);
    EXPECT_EQ(t->data(), reinterpret_cast<char*>(producer_data));
    EXPECT_EQ(t->shape, (Dims{2, 3}));
    EXPECT_EQ(t->strides, (Dims{1, 2}));
    Tensor view = make_view(t, {3}, {2}, 1);  // a view outlives the imported tensor
    t.reset();
    EXPECT_EQ(deletions, 0);
    view->data_as<float>()[0] = 42.0f;
    EXPECT_EQ(producer_data[1], 42.0f);  // writes reach the producer's memory
  }
  EXPECT_EQ(deletions, 1);
}

TEST(DLPackImport, NullStridesMeanRowMajorAndHookReleases) {
  int deletions = 0;
  static int hook_calls = 0;
  hook_calls = 0;
  auto hook = [](void (*release)(void*), void* managed) {
    ++hook_calls;
    release(managed);
  };
  Tensor t = import_versioned(make_foreign(&deletions, {2, 3}, {}, 6), hook);
  EXPECT_EQ(t->strides, (Dims{3, 1}));
  t.reset();
  EXPECT_EQ(hook_calls, 1);
  EXPECT_EQ(deletions, 1);
}

TEST(DLPackImport, EmptyTensorReleasesTheProducerAtOnce) {
  int deletions = 0;
  Tensor t = import_versioned(make_foreign(&deletions, {0, 3}, {}, 0), nullptr);
  EXPECT_EQ(deletions, 1);
  EXPECT_EQ(t->numel, 0);
  EXPECT_EQ(t->shape, (Dims{0, 3}));
}

TEST(DLPackImport, RefusalsOwnNothing) {
  int deletions = 0;
  auto refused = [&](DLManagedTensorVersioned* m, const char* needle) {
    try {
      import_versioned(m, nullptr);
      ADD_FAILURE() << "accepted: " << needle;
    } catch (const BufferError& e) {
      EXPECT_NE(std::strstr(e.what(), needle), nullptr) << e.what();
    }
    EXPECT_EQ(deletions, 0);  // still the caller's
    m->deleter(m);
    EXPECT_EQ(deletions, 1);
    deletions = 0;
  };
  refused(make_foreign(&deletions, {4}, {}, 4, {kDLUInt, 32, 1}), "unsupported dtype uint32");
  refused(make_foreign(&deletions, {4}, {}, 4, {kDLFloat, 16, 1}), "float16");
  refused(make_foreign(&deletions, {4}, {}, 4, {kDLFloat, 32, 4}), "float32x4");
  refused(make_foreign(&deletions, {4}, {}, 4, {kDLUInt, 16, 1}), "uint16");
  refused(make_foreign(&deletions, {4}, {-1}, 4), "negative strides");
  refused(make_foreign(&deletions, {4}, {}, 4, {kDLFloat, 32, 1}, kFlagReadOnly), "read-only");
  auto* gpu = make_foreign(&deletions, {4}, {}, 4);
  gpu->dl_tensor.device = {2, 0};
  refused(gpu, "device type 2");
  auto* future = make_foreign(&deletions, {4}, {}, 4);
  future->version = {2, 0};
  refused(future, "version 2.0");
}

TEST(DLPackImport, ReadOnlyAcceptedForACopy) {
  int deletions = 0;
  Tensor t =
      import_versioned(make_foreign(&deletions, {3}, {}, 3, {kDLFloat, 32, 1}, kFlagReadOnly),
                       nullptr, /*read_only_ok=*/true);
  Tensor c = clone(t);
  t.reset();
  EXPECT_EQ(deletions, 1);
  EXPECT_EQ(c->data_as<float>()[2], 2.0f);
}

TEST(DLPackImport, ZeroStridesOfABroadcastView) {
  int deletions = 0;
  Tensor t = import_versioned(make_foreign(&deletions, {3, 4}, {0, 1}, 4), nullptr);
  EXPECT_EQ(t->storage->nbytes, 4 * sizeof(float));
  EXPECT_EQ(get_double(t, {2, 3}), 3.0);
}

}  // namespace
}  // namespace pyag
