/**
 * Internal structures of the ULT runtime (see README.md for the design).
 */
#ifndef __ULT_INTERNAL_H__
#define __ULT_INTERNAL_H__

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <gurt/common.h>
#include <daos_srv/ult.h>

#include "ult_ctx.h"

/* ---- lock-free multi-producer single-consumer queue (intrusive) ---- */
struct mpsc_node {
	_Atomic(struct mpsc_node *) next;
};

#define ULT_CACHELINE 64

/* Producers and the consumer touch separate cache lines. */
struct mpsc_queue {
	_Alignas(ULT_CACHELINE) _Atomic(struct mpsc_node *) head; /* last pushed */
	_Alignas(ULT_CACHELINE) struct mpsc_node *tail;           /* consumer side */
	struct mpsc_node stub;
};

void mpsc_init(struct mpsc_queue *q);
void mpsc_push(struct mpsc_queue *q, struct mpsc_node *n);
struct mpsc_node *mpsc_pop(struct mpsc_queue *q);
bool mpsc_empty(struct mpsc_queue *q);

/* ---- ULT ---- */
enum ult_state {
	ULT_NEW,     /* created, no stack yet */
	ULT_READY,   /* on a run queue or an inbox */
	ULT_RUNNING, /* the xstream's current ULT */
	ULT_YIELDED, /* switched out, wants to run again */
	ULT_PARKED,  /* switched out, waiting for ult_wake() */
	ULT_DONE,    /* finished; stack released */
};

/**
 * A waiter: one per blocking call, on the waiting ULT's (or thread's) stack.
 * Whoever clears wt_armed first (a waker or the timer) owns the wake-up.
 */
struct ult_waiter {
	d_list_t wt_link;
	struct ult *wt_ult; /* NULL: a plain thread waiting on the futex */
	_Atomic int wt_armed;
	bool wt_timed_out;
};

struct ult_xstream;

struct ult {
	struct mpsc_node u_node; /* inbox link; first so casts are cheap */
	d_list_t u_link;         /* run queue link */
	d_list_t u_all;          /* xstream's list of live ULTs */
	struct ult_ctx u_ctx;
	struct ult_xstream *u_xs;
	void (*u_func)(void *arg);
	void *u_arg;
	uint64_t u_id;
	void *u_stack; /* usable area (above the guard page) */
	size_t u_stack_size;
	enum ult_state u_state;
	int u_rc;
	/* timer heap */
	uint64_t u_deadline;
	int u_heap_idx;
	struct ult_waiter *u_waiter;
	/* join */
	pthread_mutex_t u_lock;
	d_list_t u_joiners;
	bool u_done;
	bool u_detached;
#ifdef ULT_ASAN
	void *u_fake_stack;
#endif
};

struct ult_stack {
	d_list_t sk_link;
};

struct ult_poller {
	d_list_t p_link;
	struct ult_xstream *p_xs;
	int (*p_poll)(void *arg);
	void *p_arg;
	int p_fd;
	bool p_dead;
};

struct ult_xstream {
	int xs_id;
	pthread_t xs_thread;
	int xs_cpu;
	struct ult_ctx xs_sched_ctx;
	struct ult *xs_cur;
	d_list_t xs_runq;
	unsigned int xs_runq_len;
	d_list_t xs_all;
	unsigned int xs_nr_all;
	struct mpsc_queue xs_inbox;
	_Atomic int xs_idle;
	_Atomic int xs_stop;
	int xs_efd;
	int xs_epfd;
	/* timer min-heap of parked ULTs with a deadline */
	struct ult **xs_heap;
	int xs_heap_len;
	int xs_heap_cap;
	/* pollers, only touched by this xstream's thread */
	d_list_t xs_pollers;
	int xs_nr_nofd;
	/* default-size stacks kept for reuse */
	d_list_t xs_stacks;
	int xs_nr_stacks;
#ifdef ULT_ASAN
	const void *xs_sched_stack;
	size_t xs_sched_stack_size;
	void *xs_fake_stack;
#endif
};

struct ult_runtime {
	int rt_nr_xs;
	size_t rt_stack_size;
	int rt_stack_cache;
	size_t rt_page;
	struct ult_xstream *rt_xs;
	_Atomic int rt_state; /* 0 down, 1 up, 2 stopping */
	_Atomic uint64_t rt_next_id;
};

extern struct ult_runtime ult_rt;
extern __thread struct ult_xstream *ult_tls_xs;

/* "Wait forever" for ult_park(). */
#define ULT_NO_TIMEOUT UINT64_MAX

/* Timeouts beyond a century are treated as "forever", so deadlines never overflow. */
static inline uint64_t
ult_us2ns(uint64_t us)
{
	return us >= 100ULL * 365 * 24 * 3600 * USEC_PER_SEC ? ULT_NO_TIMEOUT : us * NSEC_PER_USEC;
}

/* sched.c */
void ult_park(struct ult_waiter *w, uint64_t timeout_ns);
bool ult_wake(struct ult_waiter *w);
void ult_make_ready(struct ult *u);
uint64_t ult_now_ns(void);

/** Prepare \a w for the caller (ULT or plain thread). */
static inline void
ult_waiter_init(struct ult_waiter *w)
{
	struct ult_xstream *xs = ult_tls_xs;

	D_INIT_LIST_HEAD(&w->wt_link);
	w->wt_ult = xs != NULL ? xs->xs_cur : NULL;
	w->wt_timed_out = false;
	atomic_store(&w->wt_armed, 1);
}

/* stack.c */
int ult_stack_get(struct ult_xstream *xs, size_t size, void **stackp);
void ult_stack_put(struct ult_xstream *xs, void *stack, size_t size);
void ult_stack_pool_drain(struct ult_xstream *xs);

#endif /* __ULT_INTERNAL_H__ */
