// The CBLAS entry points, with or without the scipy_ symbol prefix of scipy-openblas32.
#pragma once
#include <cblas.h>

#ifdef PYAG_BLAS_SCIPY_PREFIX
#define PYAG_CBLAS(name) scipy_cblas_##name
#define PYAG_OPENBLAS(name) scipy_openblas_##name
#else
#define PYAG_CBLAS(name) cblas_##name
#define PYAG_OPENBLAS(name) openblas_##name
#endif
