/**
 * Context switch implementations (see ult_ctx.h).
 *
 * The assembly swap pushes the callee-saved registers (and on x86-64 the x87
 * control word and MXCSR, which the ABI also says are preserved across
 * calls) on the current stack, stores the stack pointer, loads the other one
 * and pops the same layout. A new context gets a hand-built frame whose
 * "return address" is a trampoline that moves the saved argument into the
 * first argument register and calls the entry function, which never returns.
 */
#define D_LOGFAC DD_FAC(server)

#include <stdint.h>
#include <string.h>

#include <gurt/common.h>

#include "ult_ctx.h"

#ifdef ULT_CTX_UCONTEXT

/* makecontext() only passes ints, so the two pointers travel as 32-bit halves. */
static void
ult_ctx_start(unsigned int fn_hi, unsigned int fn_lo, unsigned int arg_hi, unsigned int arg_lo)
{
	uintptr_t fn = ((uintptr_t)fn_hi << 32) | fn_lo;
	uintptr_t arg = ((uintptr_t)arg_hi << 32) | arg_lo;

	((void (*)(void *))fn)((void *)arg);
	D_ASSERTF(0, "ULT entry returned");
}

void
ult_ctx_make(struct ult_ctx *ctx, void *stack, size_t size, void (*fn)(void *), void *arg)
{
	uint64_t f = (uintptr_t)fn;
	uint64_t a = (uintptr_t)arg;

	memset(ctx, 0, sizeof(*ctx));
	getcontext(&ctx->uc);
	ctx->uc.uc_stack.ss_sp = stack;
	ctx->uc.uc_stack.ss_size = size;
	ctx->uc.uc_link = NULL;
	makecontext(&ctx->uc, (void (*)(void))ult_ctx_start, 4, (unsigned int)(f >> 32),
		    (unsigned int)f, (unsigned int)(a >> 32), (unsigned int)a);
}

void
ult_ctx_swap(struct ult_ctx *from, struct ult_ctx *to)
{
	swapcontext(&from->uc, &to->uc);
}

#else /* assembly swap */

void ult_ctx_swap_asm(void **from_sp, void *to_sp) __attribute__((visibility("hidden")));
void ult_ctx_trampoline(void) __attribute__((visibility("hidden")));

#if defined(__x86_64__)

/*
 * Frame, from the saved sp upwards: x87 CW (8 bytes), MXCSR (8), r15, r14,
 * r13, r12, rbx, rbp, return address.
 */
__asm__(".text\n"
	".p2align 4\n"
	".globl ult_ctx_swap_asm\n"
	".hidden ult_ctx_swap_asm\n"
	".type ult_ctx_swap_asm,@function\n"
	"ult_ctx_swap_asm:\n"
	"	pushq %rbp\n"
	"	pushq %rbx\n"
	"	pushq %r12\n"
	"	pushq %r13\n"
	"	pushq %r14\n"
	"	pushq %r15\n"
	"	subq $16, %rsp\n"
	"	fnstcw (%rsp)\n"
	"	stmxcsr 8(%rsp)\n"
	"	movq %rsp, (%rdi)\n"
	"	movq %rsi, %rsp\n"
	"	fldcw (%rsp)\n"
	"	ldmxcsr 8(%rsp)\n"
	"	addq $16, %rsp\n"
	"	popq %r15\n"
	"	popq %r14\n"
	"	popq %r13\n"
	"	popq %r12\n"
	"	popq %rbx\n"
	"	popq %rbp\n"
	"	ret\n"
	".size ult_ctx_swap_asm,.-ult_ctx_swap_asm\n"
	".p2align 4\n"
	".globl ult_ctx_trampoline\n"
	".hidden ult_ctx_trampoline\n"
	".type ult_ctx_trampoline,@function\n"
	"ult_ctx_trampoline:\n"
	"	movq %r12, %rdi\n"
	"	callq *%r13\n"
	"	ud2\n"
	".size ult_ctx_trampoline,.-ult_ctx_trampoline\n");

enum { FR_FPU, FR_MXCSR, FR_R15, FR_R14, FR_R13, FR_R12, FR_RBX, FR_RBP, FR_RET, FR_NR };

void
ult_ctx_make(struct ult_ctx *ctx, void *stack, size_t size, void (*fn)(void *), void *arg)
{
	uintptr_t top = ((uintptr_t)stack + size) & ~(uintptr_t)15;
	/* After "ret" pops the trampoline address, sp must be 16-byte aligned for its call. */
	uint64_t *fr = (uint64_t *)(top - 8 - (FR_NR - 1) * 8);
	uint16_t fpucw;
	uint32_t mxcsr;

	/* Start with the creator's FP modes, as a new thread would inherit them. */
	__asm__ volatile("fnstcw %0" : "=m"(fpucw));
	__asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
	memset(fr, 0, FR_NR * sizeof(*fr));
	fr[FR_FPU] = fpucw;
	fr[FR_MXCSR] = mxcsr;
	fr[FR_R13] = (uintptr_t)fn;
	fr[FR_R12] = (uintptr_t)arg;
	fr[FR_RET] = (uintptr_t)ult_ctx_trampoline;
	ctx->sp = fr;
}

#elif defined(__aarch64__)

/*
 * Frame (176 bytes): x19..x28, x29 (fp), x30 (lr), d8..d15, FPCR, padding.
 */
__asm__(".text\n"
	".p2align 4\n"
	".globl ult_ctx_swap_asm\n"
	".hidden ult_ctx_swap_asm\n"
	".type ult_ctx_swap_asm,%function\n"
	"ult_ctx_swap_asm:\n"
	"	sub sp, sp, #176\n"
	"	stp x19, x20, [sp, #0]\n"
	"	stp x21, x22, [sp, #16]\n"
	"	stp x23, x24, [sp, #32]\n"
	"	stp x25, x26, [sp, #48]\n"
	"	stp x27, x28, [sp, #64]\n"
	"	stp x29, x30, [sp, #80]\n"
	"	stp d8, d9, [sp, #96]\n"
	"	stp d10, d11, [sp, #112]\n"
	"	stp d12, d13, [sp, #128]\n"
	"	stp d14, d15, [sp, #144]\n"
	"	mrs x9, fpcr\n"
	"	str x9, [sp, #160]\n"
	"	mov x9, sp\n"
	"	str x9, [x0]\n"
	"	mov sp, x1\n"
	"	ldp x19, x20, [sp, #0]\n"
	"	ldp x21, x22, [sp, #16]\n"
	"	ldp x23, x24, [sp, #32]\n"
	"	ldp x25, x26, [sp, #48]\n"
	"	ldp x27, x28, [sp, #64]\n"
	"	ldp x29, x30, [sp, #80]\n"
	"	ldp d8, d9, [sp, #96]\n"
	"	ldp d10, d11, [sp, #112]\n"
	"	ldp d12, d13, [sp, #128]\n"
	"	ldp d14, d15, [sp, #144]\n"
	"	ldr x9, [sp, #160]\n"
	"	msr fpcr, x9\n"
	"	add sp, sp, #176\n"
	"	ret\n"
	".size ult_ctx_swap_asm,.-ult_ctx_swap_asm\n"
	".p2align 4\n"
	".globl ult_ctx_trampoline\n"
	".hidden ult_ctx_trampoline\n"
	".type ult_ctx_trampoline,%function\n"
	"ult_ctx_trampoline:\n"
	"	mov x0, x20\n"
	"	blr x19\n"
	"	brk #0\n"
	".size ult_ctx_trampoline,.-ult_ctx_trampoline\n");

void
ult_ctx_make(struct ult_ctx *ctx, void *stack, size_t size, void (*fn)(void *), void *arg)
{
	uintptr_t top = ((uintptr_t)stack + size) & ~(uintptr_t)15;
	uint64_t *fr = (uint64_t *)(top - 176);
	uint64_t fpcr;

	__asm__ volatile("mrs %0, fpcr" : "=r"(fpcr));
	memset(fr, 0, 176);
	fr[0] = (uintptr_t)fn;                  /* x19 */
	fr[1] = (uintptr_t)arg;                 /* x20 */
	fr[11] = (uintptr_t)ult_ctx_trampoline; /* x30 */
	fr[20] = fpcr;
	ctx->sp = fr;
}

#endif

void
ult_ctx_swap(struct ult_ctx *from, struct ult_ctx *to)
{
	ult_ctx_swap_asm(&from->sp, to->sp);
}

#endif /* ULT_CTX_UCONTEXT */
