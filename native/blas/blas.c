/* N-API addon: cblas_sgemm from OpenBLAS on Float32Array views (no copies), one BLAS thread per process. */
#include <node_api.h>
#include <cblas.h>
#include <stdbool.h>
#include <stddef.h>

#define CHECK(call) do { if ((call) != napi_ok) { napi_throw_error(env, NULL, "sgemm: bad arguments"); return NULL; } } while (0)

/* Reads a Float32Array argument: its data pointer (byte offset applied) and element count. */
static bool floats(napi_env env, napi_value value, float **data, size_t *length) {
  bool isTyped = false;
  napi_typedarray_type type;
  void *raw = NULL;
  if (napi_is_typedarray(env, value, &isTyped) != napi_ok || !isTyped) return false;
  if (napi_get_typedarray_info(env, value, &type, length, &raw, NULL, NULL) != napi_ok || type != napi_float32_array) return false;
  *data = (float *)raw;
  return true;
}

/* sgemm(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc): C = alpha*op(A)*op(B) + beta*C, row-major. */
static napi_value sgemm(napi_env env, napi_callback_info info) {
  size_t argc = 13;
  napi_value argv[13];
  bool ta, tb;
  int32_t m, n, k, lda, ldb, ldc;
  double alpha, beta;
  float *a, *b, *c;
  size_t aLen, bLen, cLen;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 13) { napi_throw_type_error(env, NULL, "sgemm: expects 13 arguments"); return NULL; }
  CHECK(napi_get_value_bool(env, argv[0], &ta));
  CHECK(napi_get_value_bool(env, argv[1], &tb));
  CHECK(napi_get_value_int32(env, argv[2], &m));
  CHECK(napi_get_value_int32(env, argv[3], &n));
  CHECK(napi_get_value_int32(env, argv[4], &k));
  CHECK(napi_get_value_double(env, argv[5], &alpha));
  CHECK(napi_get_value_int32(env, argv[7], &lda));
  CHECK(napi_get_value_int32(env, argv[9], &ldb));
  CHECK(napi_get_value_double(env, argv[10], &beta));
  CHECK(napi_get_value_int32(env, argv[12], &ldc));
  if (!floats(env, argv[6], &a, &aLen) || !floats(env, argv[8], &b, &bLen) || !floats(env, argv[11], &c, &cLen)) {
    napi_throw_type_error(env, NULL, "sgemm: A, B and C must be Float32Arrays");
    return NULL;
  }
  if (m < 0 || n < 0 || k < 0) { napi_throw_range_error(env, NULL, "sgemm: negative dimension"); return NULL; }
  /* Row-major: op(A) is m x k, stored as (ta ? k x m : m x k) with leading dimension lda. */
  size_t aRows = ta ? (size_t)k : (size_t)m, aCols = ta ? (size_t)m : (size_t)k;
  size_t bRows = tb ? (size_t)n : (size_t)k, bCols = tb ? (size_t)k : (size_t)n;
  if ((size_t)lda < aCols || (size_t)ldb < bCols || (size_t)ldc < (size_t)n || (size_t)lda < 1 || (size_t)ldb < 1 || (size_t)ldc < 1 ||
      (aRows > 0 && aCols > 0 && (aRows - 1) * lda + aCols > aLen) ||
      (bRows > 0 && bCols > 0 && (bRows - 1) * ldb + bCols > bLen) ||
      (m > 0 && n > 0 && ((size_t)m - 1) * ldc + (size_t)n > cLen)) {
    napi_throw_range_error(env, NULL, "sgemm: an array is too short for its dimensions");
    return NULL;
  }
  if (m == 0 || n == 0) return NULL;
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k,
              (float)alpha, a, lda, b, ldb, (float)beta, c, ldc);
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  openblas_set_num_threads(1);
  if (napi_create_function(env, "sgemm", NAPI_AUTO_LENGTH, sgemm, NULL, &fn) != napi_ok) return NULL;
  napi_set_named_property(env, exports, "sgemm", fn);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
