/**
 * Machine context switch between ULT stacks and the scheduler.
 *
 * x86-64 and aarch64 use a small hand-written swap (ult_ctx.c) that saves only
 * the callee-saved state; other machines, or builds with ULT_USE_UCONTEXT,
 * fall back to makecontext/swapcontext (slower: it saves the signal mask with
 * a system call on every switch).
 */
#ifndef __ULT_CTX_H__
#define __ULT_CTX_H__

#include <stddef.h>

#if defined(__SANITIZE_ADDRESS__)
#define ULT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ULT_ASAN 1
#endif
#endif

#if defined(ULT_USE_UCONTEXT) || !(defined(__x86_64__) || defined(__aarch64__))
#define ULT_CTX_UCONTEXT 1
#include <ucontext.h>
struct ult_ctx {
	ucontext_t uc;
};
#else
struct ult_ctx {
	void *sp; /* saved stack pointer; the registers live on that stack */
};
#endif

/** Set up \a ctx so the first switch to it runs \a fn(\a arg) on [stack, stack + size). */
void ult_ctx_make(struct ult_ctx *ctx, void *stack, size_t size, void (*fn)(void *), void *arg);

/** Save the running context in \a from and resume \a to. */
void ult_ctx_swap(struct ult_ctx *from, struct ult_ctx *to);

#endif /* __ULT_CTX_H__ */
