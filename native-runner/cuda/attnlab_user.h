/*
 * attnlab_user.h — the entry point a user's CUDA attention kernel exports, so that
 * `attnlab run --backend cuda --kernel-file my.cu` checks and times it with the same harness as
 * the built-in kernels (f64 check on poisoned output, cold L2, CUDA events).
 *
 * Implement, in your .cu file:
 *
 *   extern "C" int attnlab_attention(const attnlab_problem* p, cudaStream_t stream);
 *
 * It enqueues one forward pass O = softmax(Q·Kᵀ·scale)·V on `stream` and returns 0, or returns
 * non-zero (without launching) for a problem it does not handle; the harness then refuses the run
 * with the message from the optional
 *
 *   extern "C" const char* attnlab_refusal(const attnlab_problem* p);   // NULL: no reason given
 *
 * Tensors (device pointers, element type `dtype`; O has the dtype of Q):
 *   Q, O: [batch, heads, seq, dim]            element (b, h, i, d) at b·q_stride[0] + h·q_stride[1] + i·q_stride[2] + d
 *   K, V: [batch, kv_heads, kv_seq, dim]      element (b, g, j, d) at b·kv_stride[0] + g·kv_stride[1] + j·kv_stride[2] + d
 * Query head h reads KV head h / (heads / kv_heads) (grouped-query attention; kv_heads divides
 * heads). causal: query i sees keys j <= i + kv_seq − seq (bottom-right aligned, as
 * FlashAttention ≥ 2.1; the usual j <= i when kv_seq == seq); a row that sees no key outputs 0.
 * Do not launch anything but your kernels on other streams, and do not synchronise the device:
 * the harness times the stream with CUDA events and checks the last error after your call.
 */
#ifndef ATTNLAB_USER_H
#define ATTNLAB_USER_H

#include <cuda_runtime.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Element types of Q, K, V and O. */
typedef enum { ATTNLAB_F32 = 0, ATTNLAB_F16 = 1, ATTNLAB_BF16 = 2 } attnlab_dtype;

/** One attention problem, as the harness hands it to the user's kernel. */
typedef struct {
  const void* q; /* [batch, heads, seq, dim] */
  const void* k; /* [batch, kv_heads, kv_seq, dim] */
  const void* v; /* [batch, kv_heads, kv_seq, dim] */
  void* o;       /* [batch, heads, seq, dim], written in full */
  int64_t batch, heads, seq, dim;
  int64_t kv_heads, kv_seq;  /* always set (== heads, == seq for the square problem) */
  int64_t q_stride[3];       /* elements between batches, heads, rows of Q and O */
  int64_t kv_stride[3];      /* elements between batches, heads, rows of K and V */
  int causal;                /* 1: bottom-right causal mask */
  float scale;               /* softmax scale (default 1/sqrt(dim)) */
  attnlab_dtype dtype;
} attnlab_problem;

/** The user's entry point: enqueue one forward pass on `stream`; 0 on success. */
int attnlab_attention(const attnlab_problem* p, cudaStream_t stream);

#ifdef __cplusplus
}
#endif

#endif /* ATTNLAB_USER_H */
