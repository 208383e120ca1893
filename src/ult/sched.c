/**
 * xstreams and their schedulers: ULT creation, switching, parking, timers,
 * pollers and the idle wait (see README.md).
 */
#define D_LOGFAC DD_FAC(server)

#include <linux/futex.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ult_internal.h"

#ifdef ULT_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

struct ult_runtime ult_rt;
__thread struct ult_xstream *ult_tls_xs;

/* How long ult_fini() lets runnable or soon-to-wake ULTs finish. */
#define ULT_STOP_GRACE_NS (2 * NSEC_PER_SEC)
#define ULT_STACK_MIN     (16 * 1024)

/*
 * How long an xstream that ran out of work watches its inbox before it
 * blocks: replies from other xstreams often come within microseconds, and
 * the eventfd + epoll round trip costs ten times more (ult_perf ping-pong:
 * ~70k/s without the spin, ~800k/s with it). Spinning only follows work, so
 * an idle runtime still uses no CPU.
 */
#define ULT_IDLE_SPIN_NS (20 * NSEC_PER_USEC)

enum { RT_DOWN, RT_UP, RT_STOPPING };

static inline void
cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield" ::: "memory");
#endif
}

/* ------------------------------------------------------------------------
 * MPSC queue (Vyukov's intrusive design): producers swap the head and then
 * link the previous node; the consumer walks from the tail. A producer
 * preempted between the two steps makes pop() return NULL for a moment; it
 * still kicks the consumer after linking, so nothing is lost.
 * ------------------------------------------------------------------------ */
void
mpsc_init(struct mpsc_queue *q)
{
	atomic_store(&q->stub.next, NULL);
	atomic_store(&q->head, &q->stub);
	q->tail = &q->stub;
}

void
mpsc_push(struct mpsc_queue *q, struct mpsc_node *n)
{
	struct mpsc_node *prev;

	atomic_store_explicit(&n->next, NULL, memory_order_relaxed);
	prev = atomic_exchange(&q->head, n);
	atomic_store_explicit(&prev->next, n, memory_order_release);
}

struct mpsc_node *
mpsc_pop(struct mpsc_queue *q)
{
	struct mpsc_node *tail = q->tail;
	struct mpsc_node *next = atomic_load_explicit(&tail->next, memory_order_acquire);

	if (tail == &q->stub) {
		if (next == NULL)
			return NULL;
		q->tail = next;
		tail = next;
		next = atomic_load_explicit(&next->next, memory_order_acquire);
	}
	if (next != NULL) {
		q->tail = next;
		return tail;
	}
	if (tail != atomic_load(&q->head))
		return NULL; /* a producer is between its two steps */
	mpsc_push(q, &q->stub);
	next = atomic_load_explicit(&tail->next, memory_order_acquire);
	if (next != NULL) {
		q->tail = next;
		return tail;
	}
	return NULL;
}

bool
mpsc_empty(struct mpsc_queue *q)
{
	return q->tail == &q->stub && atomic_load(&q->head) == &q->stub;
}

/* ------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------ */
uint64_t
ult_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static void
futex_wait(_Atomic int *addr, int val, const struct timespec *rel)
{
	syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, rel, NULL, 0);
}

static void
futex_wake(_Atomic int *addr)
{
	syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void
xs_kick(struct ult_xstream *xs)
{
	uint64_t one = 1;

	/* Only an xstream that announced it is going to sleep needs the syscall. */
	if (atomic_exchange(&xs->xs_idle, 0) && write(xs->xs_efd, &one, sizeof(one)) < 0 &&
	    errno != EAGAIN)
		D_ERROR("xstream %d wakeup failed: %d\n", xs->xs_id, errno);
}

static inline void
runq_push(struct ult_xstream *xs, struct ult *u)
{
	d_list_add_tail(&u->u_link, &xs->xs_runq);
	xs->xs_runq_len++;
}

static inline struct ult *
runq_pop(struct ult_xstream *xs)
{
	struct ult *u = d_list_pop_entry(&xs->xs_runq, struct ult, u_link);

	if (u != NULL)
		xs->xs_runq_len--;
	return u;
}

/* ------------------------------------------------------------------------
 * Timer heap: parked ULTs with a deadline, smallest deadline at index 0.
 * Every ULT is in it at most once, so capacity >= number of ULTs suffices
 * and is reserved when a ULT is adopted; insertion cannot fail.
 * ------------------------------------------------------------------------ */
static inline void
heap_set(struct ult_xstream *xs, int i, struct ult *u)
{
	xs->xs_heap[i] = u;
	u->u_heap_idx = i;
}

static void
heap_up(struct ult_xstream *xs, int i)
{
	struct ult *u = xs->xs_heap[i];

	while (i > 0) {
		int p = (i - 1) / 2;

		if (xs->xs_heap[p]->u_deadline <= u->u_deadline)
			break;
		heap_set(xs, i, xs->xs_heap[p]);
		i = p;
	}
	heap_set(xs, i, u);
}

static void
heap_down(struct ult_xstream *xs, int i)
{
	struct ult *u = xs->xs_heap[i];
	int n = xs->xs_heap_len;

	for (;;) {
		int c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && xs->xs_heap[c + 1]->u_deadline < xs->xs_heap[c]->u_deadline)
			c++;
		if (u->u_deadline <= xs->xs_heap[c]->u_deadline)
			break;
		heap_set(xs, i, xs->xs_heap[c]);
		i = c;
	}
	heap_set(xs, i, u);
}

static void
heap_insert(struct ult_xstream *xs, struct ult *u)
{
	D_ASSERT(xs->xs_heap_len < xs->xs_heap_cap);
	heap_set(xs, xs->xs_heap_len++, u);
	heap_up(xs, u->u_heap_idx);
}

static void
heap_remove(struct ult_xstream *xs, struct ult *u)
{
	int i = u->u_heap_idx;
	struct ult *last = xs->xs_heap[--xs->xs_heap_len];

	u->u_heap_idx = -1;
	if (last == u)
		return;
	heap_set(xs, i, last);
	heap_down(xs, i);
	heap_up(xs, last->u_heap_idx);
}

static int
xs_fire_timers(struct ult_xstream *xs, uint64_t now)
{
	int n = 0;

	while (xs->xs_heap_len > 0 && xs->xs_heap[0]->u_deadline <= now) {
		struct ult *u = xs->xs_heap[0];
		struct ult_waiter *w = u->u_waiter;

		heap_remove(xs, u);
		if (w != NULL && atomic_exchange(&w->wt_armed, 0)) {
			w->wt_timed_out = true;
			ult_make_ready(u);
			n++;
		}
	}
	return n;
}

/* ------------------------------------------------------------------------
 * Switching
 * ------------------------------------------------------------------------ */

/* Give the CPU back to the scheduler; returns when the ULT is resumed. */
static void
ult_switch_out(struct ult_xstream *xs, struct ult *u, enum ult_state state)
{
	u->u_state = state;
#ifdef ULT_ASAN
	/* A finished ULT passes NULL so ASan drops its fake stack. */
	__sanitizer_start_switch_fiber(state == ULT_DONE ? NULL : &u->u_fake_stack,
				       xs->xs_sched_stack, xs->xs_sched_stack_size);
#endif
	ult_ctx_swap(&u->u_ctx, &xs->xs_sched_ctx);
#ifdef ULT_ASAN
	__sanitizer_finish_switch_fiber(u->u_fake_stack, NULL, NULL);
#endif
}

static void
ult_entry(void *arg)
{
	struct ult *u = arg;
	struct ult_xstream *xs = u->u_xs;

#ifdef ULT_ASAN
	/* The stack we came from is the scheduler's: remember it to switch back. */
	__sanitizer_finish_switch_fiber(NULL, &xs->xs_sched_stack, &xs->xs_sched_stack_size);
#endif
	u->u_func(u->u_arg);
	ult_switch_out(xs, u, ULT_DONE);
	D_ASSERTF(0, "finished ULT resumed");
}

static void
ult_free(struct ult *u)
{
	pthread_mutex_destroy(&u->u_lock);
	D_FREE(u);
}

/* A ULT finished (or could not start): release its stack and tell the joiner. */
static void
ult_finish(struct ult_xstream *xs, struct ult *u)
{
	struct ult_waiter *w;

	if (!d_list_empty(&u->u_all)) {
		d_list_del_init(&u->u_all);
		xs->xs_nr_all--;
	}
	if (u->u_stack != NULL) {
		ult_stack_put(xs, u->u_stack, u->u_stack_size);
		u->u_stack = NULL;
	}
	pthread_mutex_lock(&u->u_lock);
	u->u_state = ULT_DONE;
	u->u_done = true;
	if (u->u_detached) {
		pthread_mutex_unlock(&u->u_lock);
		ult_free(u);
		return;
	}
	while ((w = d_list_pop_entry(&u->u_joiners, struct ult_waiter, wt_link)) != NULL)
		ult_wake(w);
	pthread_mutex_unlock(&u->u_lock);
}

/* Account a new ULT to \a xs; reserves its timer heap slot. */
static int
xs_adopt(struct ult_xstream *xs, struct ult *u)
{
	if (xs->xs_nr_all + 1 > (unsigned int)xs->xs_heap_cap) {
		int cap = xs->xs_heap_cap * 2;
		struct ult **heap;

		D_REALLOC_ARRAY(heap, xs->xs_heap, xs->xs_heap_cap, cap);
		if (heap == NULL)
			return -DER_NOMEM;
		xs->xs_heap = heap;
		xs->xs_heap_cap = cap;
	}
	d_list_add_tail(&u->u_all, &xs->xs_all);
	xs->xs_nr_all++;
	return 0;
}

static void
xs_run(struct ult_xstream *xs, struct ult *u)
{
	if (u->u_state == ULT_NEW) {
		int rc = ult_stack_get(xs, u->u_stack_size, &u->u_stack);

		if (rc != 0) {
			u->u_rc = rc;
			ult_finish(xs, u);
			return;
		}
		ult_ctx_make(&u->u_ctx, u->u_stack, u->u_stack_size, ult_entry, u);
	}
	xs->xs_cur = u;
	u->u_state = ULT_RUNNING;
#ifdef ULT_ASAN
	__sanitizer_start_switch_fiber(&xs->xs_fake_stack, u->u_stack, u->u_stack_size);
#endif
	ult_ctx_swap(&xs->xs_sched_ctx, &u->u_ctx);
#ifdef ULT_ASAN
	__sanitizer_finish_switch_fiber(xs->xs_fake_stack, NULL, NULL);
#endif
	xs->xs_cur = NULL;
	switch (u->u_state) {
	case ULT_YIELDED:
		u->u_state = ULT_READY;
		runq_push(xs, u);
		break;
	case ULT_DONE:
		ult_finish(xs, u);
		break;
	default:
		/* parked: whoever wakes it queues it again */
		break;
	}
}

/* ------------------------------------------------------------------------
 * Parking and waking
 * ------------------------------------------------------------------------ */
void
ult_make_ready(struct ult *u)
{
	struct ult_xstream *xs = u->u_xs;

	if (ult_tls_xs == xs) {
		u->u_state = ULT_READY;
		runq_push(xs, u);
	} else {
		mpsc_push(&xs->xs_inbox, &u->u_node);
		xs_kick(xs);
	}
}

bool
ult_wake(struct ult_waiter *w)
{
	/* Read before disarming: a plain-thread waiter may return right after. */
	struct ult *u = w->wt_ult;

	if (!atomic_exchange(&w->wt_armed, 0))
		return false;
	if (u != NULL)
		ult_make_ready(u);
	else
		futex_wake(&w->wt_armed);
	return true;
}

void
ult_park(struct ult_waiter *w, uint64_t timeout_ns)
{
	struct ult_xstream *xs = ult_tls_xs;
	struct ult *u = w->wt_ult;
	uint64_t deadline;

	if (u == NULL) {
		deadline = timeout_ns == ULT_NO_TIMEOUT ? 0 : ult_now_ns() + timeout_ns;
		while (atomic_load(&w->wt_armed)) {
			struct timespec ts;
			uint64_t now;

			if (deadline == 0) {
				futex_wait(&w->wt_armed, 1, NULL);
				continue;
			}
			now = ult_now_ns();
			if (now >= deadline) {
				if (atomic_exchange(&w->wt_armed, 0))
					w->wt_timed_out = true;
				break;
			}
			ts.tv_sec = (deadline - now) / NSEC_PER_SEC;
			ts.tv_nsec = (deadline - now) % NSEC_PER_SEC;
			futex_wait(&w->wt_armed, 1, &ts);
		}
		return;
	}

	u->u_waiter = w;
	if (timeout_ns != ULT_NO_TIMEOUT) {
		u->u_deadline = ult_now_ns() + timeout_ns;
		heap_insert(xs, u);
	}
	ult_switch_out(xs, u, ULT_PARKED);
	if (u->u_heap_idx >= 0)
		heap_remove(xs, u);
	u->u_waiter = NULL;
}

/* ------------------------------------------------------------------------
 * Scheduler loop
 * ------------------------------------------------------------------------ */
static int
xs_drain_inbox(struct ult_xstream *xs)
{
	struct mpsc_node *n;
	int nr = 0;

	while ((n = mpsc_pop(&xs->xs_inbox)) != NULL) {
		struct ult *u = container_of(n, struct ult, u_node);

		nr++;
		if (u->u_state == ULT_NEW && d_list_empty(&u->u_all)) {
			int rc = xs_adopt(xs, u);

			if (rc != 0) {
				u->u_rc = rc;
				ult_finish(xs, u);
				continue;
			}
		} else {
			u->u_state = ULT_READY;
		}
		runq_push(xs, u);
	}
	return nr;
}

static int
xs_poll(struct ult_xstream *xs, bool *has_dead)
{
	struct ult_poller *p;
	int total = 0;

	d_list_for_each_entry(p, &xs->xs_pollers, p_link)
	{
		int rc;

		if (p->p_dead) {
			*has_dead = true;
			continue;
		}
		rc = p->p_poll(p->p_arg);
		if (rc > 0)
			total += rc;
		else if (rc < 0)
			D_DEBUG(DB_TRACE, "poller %p on xstream %d: %d\n", p, xs->xs_id, rc);
	}
	return total;
}

static void
xs_reap_pollers(struct ult_xstream *xs)
{
	struct ult_poller *p, *tmp;

	d_list_for_each_entry_safe(p, tmp, &xs->xs_pollers, p_link)
	{
		if (p->p_dead) {
			d_list_del(&p->p_link);
			D_FREE(p);
		}
	}
}

static int
xs_epoll(struct ult_xstream *xs, uint64_t timeout_ns)
{
	static _Atomic int no_pwait2;
	struct epoll_event evs[16];
	struct timespec ts;
	int rc;

	if (!atomic_load_explicit(&no_pwait2, memory_order_relaxed)) {
		ts.tv_sec = timeout_ns / NSEC_PER_SEC;
		ts.tv_nsec = timeout_ns % NSEC_PER_SEC;
		rc = epoll_pwait2(xs->xs_epfd, evs, ARRAY_SIZE(evs),
				  timeout_ns == ULT_NO_TIMEOUT ? NULL : &ts, NULL);
		if (rc >= 0 || errno != ENOSYS)
			return rc;
		atomic_store(&no_pwait2, 1);
	}
	return epoll_wait(xs->xs_epfd, evs, ARRAY_SIZE(evs),
			  timeout_ns == ULT_NO_TIMEOUT
				  ? -1
				  : (int)min_t(uint64_t, INT32_MAX,
					       (timeout_ns + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC));
}

/* Nothing to do: sleep until a kick, a poller fd, the next timer or the stop deadline. */
static void
xs_idle_wait(struct ult_xstream *xs, uint64_t stop_deadline)
{
	uint64_t timeout = ULT_NO_TIMEOUT;
	uint64_t now = 0;
	uint64_t val;
	uint64_t spin_end = 0;
	unsigned int spin;

	if (xs->xs_heap_len > 0 || stop_deadline != 0)
		now = ult_now_ns();
	if (xs->xs_heap_len > 0)
		timeout = xs->xs_heap[0]->u_deadline > now ? xs->xs_heap[0]->u_deadline - now : 0;
	if (stop_deadline != 0)
		timeout = min(timeout, stop_deadline > now ? stop_deadline - now : 0);
	if (xs->xs_nr_nofd > 0)
		timeout = min(timeout, (uint64_t)ULT_POLL_NOFD_MS * NSEC_PER_MSEC);
	if (timeout == 0)
		return;

	for (spin = 0;; spin++) {
		if (!mpsc_empty(&xs->xs_inbox) || (stop_deadline == 0 && atomic_load(&xs->xs_stop)))
			return;
		if ((spin & 63) == 0) {
			uint64_t t = ult_now_ns();

			if (spin == 0)
				spin_end = t + min(timeout, ULT_IDLE_SPIN_NS);
			else if (t >= spin_end)
				break;
		}
		cpu_relax();
	}

	/* Announce, then re-check: a producer that pushed before seeing the flag is caught here. */
	atomic_store(&xs->xs_idle, 1);
	if (!mpsc_empty(&xs->xs_inbox) || (stop_deadline == 0 && atomic_load(&xs->xs_stop))) {
		atomic_store(&xs->xs_idle, 0);
		return;
	}
	if (xs_epoll(xs, timeout) < 0 && errno != EINTR)
		D_ERROR("xstream %d epoll failed: %d\n", xs->xs_id, errno);
	atomic_store(&xs->xs_idle, 0);
	if (read(xs->xs_efd, &val, sizeof(val)) < 0 && errno != EAGAIN)
		D_ERROR("xstream %d eventfd read failed: %d\n", xs->xs_id, errno);
}

static void
xs_pin(struct ult_xstream *xs)
{
	cpu_set_t set;
	int rc;

	CPU_ZERO(&set);
	CPU_SET(xs->xs_cpu, &set);
	rc = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	if (rc != 0)
		D_WARN("cannot pin xstream %d to CPU %d: %d\n", xs->xs_id, xs->xs_cpu, rc);
}

static void *
xs_main(void *arg)
{
	struct ult_xstream *xs = arg;
	uint64_t stop_deadline = 0;

	ult_tls_xs = xs;
	if (xs->xs_cpu >= 0)
		xs_pin(xs);

	for (;;) {
		bool has_dead = false;
		int work;
		unsigned n;

		work = xs_drain_inbox(xs);
		if (xs->xs_heap_len > 0)
			work += xs_fire_timers(xs, ult_now_ns());
		work += xs_poll(xs, &has_dead);
		if (has_dead)
			xs_reap_pollers(xs);
		/* Run each ULT that is ready now once, then look at pollers again. */
		for (n = xs->xs_runq_len; n > 0; n--) {
			xs_run(xs, runq_pop(xs));
			work++;
		}

		if (stop_deadline == 0 && atomic_load(&xs->xs_stop))
			stop_deadline = ult_now_ns() + ULT_STOP_GRACE_NS;
		if (stop_deadline != 0) {
			/* Stop once nothing can still run within the grace period. */
			bool timers =
				xs->xs_heap_len > 0 && xs->xs_heap[0]->u_deadline < stop_deadline;

			if (xs->xs_runq_len == 0 && mpsc_empty(&xs->xs_inbox) && !timers)
				break;
			if (ult_now_ns() >= stop_deadline)
				break;
		}
		if (work == 0 && xs->xs_runq_len == 0)
			xs_idle_wait(xs, stop_deadline);
	}
	ult_tls_xs = NULL;
	return NULL;
}

/* ------------------------------------------------------------------------
 * Runtime
 * ------------------------------------------------------------------------ */
static void
xs_cleanup(struct ult_xstream *xs)
{
	struct ult_poller *p;

	while ((p = d_list_pop_entry(&xs->xs_pollers, struct ult_poller, p_link)) != NULL)
		D_FREE(p);
	ult_stack_pool_drain(xs);
	D_FREE(xs->xs_heap);
	if (xs->xs_efd >= 0)
		close(xs->xs_efd);
	if (xs->xs_epfd >= 0)
		close(xs->xs_epfd);
}

/* Make \a xs safe for xs_cleanup() before any resource is taken. */
static void
xs_preinit(struct ult_xstream *xs, int id)
{
	xs->xs_id = id;
	xs->xs_efd = -1;
	xs->xs_epfd = -1;
	D_INIT_LIST_HEAD(&xs->xs_runq);
	D_INIT_LIST_HEAD(&xs->xs_all);
	D_INIT_LIST_HEAD(&xs->xs_pollers);
	D_INIT_LIST_HEAD(&xs->xs_stacks);
	mpsc_init(&xs->xs_inbox);
}

static int
xs_setup(struct ult_xstream *xs, int id, int cpu)
{
	struct epoll_event ev = {.events = EPOLLIN};

	xs->xs_cpu = cpu;
	xs->xs_heap_cap = 64;
	D_ALLOC_ARRAY(xs->xs_heap, xs->xs_heap_cap);
	if (xs->xs_heap == NULL)
		return -DER_NOMEM;
	xs->xs_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	xs->xs_epfd = epoll_create1(EPOLL_CLOEXEC);
	if (xs->xs_efd < 0 || xs->xs_epfd < 0) {
		D_ERROR("xstream %d: eventfd/epoll: %d\n", id, errno);
		return -DER_MISC;
	}
	ev.data.ptr = NULL;
	if (epoll_ctl(xs->xs_epfd, EPOLL_CTL_ADD, xs->xs_efd, &ev) != 0) {
		D_ERROR("xstream %d: epoll_ctl: %d\n", id, errno);
		return -DER_MISC;
	}
	return 0;
}

int
ult_init(const struct ult_init_attr *attr)
{
	struct ult_init_attr def = {0};
	long ncpu;
	int started = 0;
	int rc = 0;
	int i;

	if (attr == NULL)
		attr = &def;
	if (attr->uia_nr_xs < 0 || attr->uia_nr_xs > 1024) {
		D_ERROR("bad xstream count %d\n", attr->uia_nr_xs);
		return -DER_INVAL;
	}
	if (attr->uia_stack_size != 0 && attr->uia_stack_size < ULT_STACK_MIN) {
		D_ERROR("stack size %zu below minimum %d\n", attr->uia_stack_size, ULT_STACK_MIN);
		return -DER_INVAL;
	}
	if (atomic_load(&ult_rt.rt_state) != RT_DOWN)
		return -DER_ALREADY;

	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	ult_rt.rt_page = sysconf(_SC_PAGESIZE);
	ult_rt.rt_nr_xs = attr->uia_nr_xs ? attr->uia_nr_xs : 1;
	ult_rt.rt_stack_size = attr->uia_stack_size ? attr->uia_stack_size : ULT_STACK_SIZE_DEFAULT;
#ifdef ULT_ASAN
	/* Redzones make frames several times larger. */
	ult_rt.rt_stack_size *= 4;
#endif
	ult_rt.rt_stack_size = D_ALIGNUP(ult_rt.rt_stack_size, ult_rt.rt_page);
	ult_rt.rt_stack_cache = attr->uia_stack_cache ? attr->uia_stack_cache : 128;
	atomic_store(&ult_rt.rt_next_id, 1);
	/* xstreams contain cache-line aligned members */
	D_ALIGNED_ALLOC(ult_rt.rt_xs, ULT_CACHELINE, ult_rt.rt_nr_xs * sizeof(*ult_rt.rt_xs));
	if (ult_rt.rt_xs == NULL)
		return -DER_NOMEM;
	memset(ult_rt.rt_xs, 0, ult_rt.rt_nr_xs * sizeof(*ult_rt.rt_xs));

	for (i = 0; i < ult_rt.rt_nr_xs; i++)
		xs_preinit(&ult_rt.rt_xs[i], i);
	for (i = 0; i < ult_rt.rt_nr_xs; i++) {
		int cpu = -1;

		if (attr->uia_pin)
			cpu = attr->uia_cpus ? attr->uia_cpus[i] : (int)(i % (ncpu > 0 ? ncpu : 1));
		if (attr->uia_pin && (cpu < 0 || cpu >= CPU_SETSIZE)) {
			D_ERROR("bad CPU %d for xstream %d\n", cpu, i);
			D_GOTO(out, rc = -DER_INVAL);
		}
		rc = xs_setup(&ult_rt.rt_xs[i], i, cpu);
		if (rc != 0)
			goto out;
	}
	atomic_store(&ult_rt.rt_state, RT_UP);
	for (started = 0; started < ult_rt.rt_nr_xs; started++) {
		rc = pthread_create(&ult_rt.rt_xs[started].xs_thread, NULL, xs_main,
				    &ult_rt.rt_xs[started]);
		if (rc != 0) {
			D_ERROR("cannot start xstream %d: %d\n", started, rc);
			rc = -DER_NOMEM;
			goto out;
		}
	}
	D_INFO("ULT runtime up: %d xstreams, %zu-byte stacks\n", ult_rt.rt_nr_xs,
	       ult_rt.rt_stack_size);
	return 0;
out:
	for (i = 0; i < started; i++) {
		uint64_t one = 1;

		atomic_store(&ult_rt.rt_xs[i].xs_stop, 1);
		if (write(ult_rt.rt_xs[i].xs_efd, &one, sizeof(one)) < 0)
			D_ERROR("cannot wake xstream %d\n", i);
		pthread_join(ult_rt.rt_xs[i].xs_thread, NULL);
	}
	for (i = 0; i < ult_rt.rt_nr_xs; i++)
		xs_cleanup(&ult_rt.rt_xs[i]);
	D_FREE(ult_rt.rt_xs);
	atomic_store(&ult_rt.rt_state, RT_DOWN);
	return rc;
}

int
ult_fini(void)
{
	int expected = RT_UP;
	int abandoned = 0;
	int i;

	if (ult_tls_xs != NULL) {
		D_ERROR("ult_fini() called from an xstream\n");
		return -DER_INVAL;
	}
	if (!atomic_compare_exchange_strong(&ult_rt.rt_state, &expected, RT_STOPPING))
		return -DER_UNINIT;

	for (i = 0; i < ult_rt.rt_nr_xs; i++) {
		struct ult_xstream *xs = &ult_rt.rt_xs[i];
		uint64_t one = 1;

		atomic_store(&xs->xs_stop, 1);
		if (write(xs->xs_efd, &one, sizeof(one)) < 0)
			D_ERROR("cannot wake xstream %d: %d\n", i, errno);
	}
	for (i = 0; i < ult_rt.rt_nr_xs; i++)
		pthread_join(ult_rt.rt_xs[i].xs_thread, NULL);

	/*
	 * Every thread is gone. First forget queued wake-ups, then fail the
	 * plain-thread joiners of abandoned ULTs while every stack (holding
	 * other waiters) is still mapped, and only then release stacks.
	 */
	for (i = 0; i < ult_rt.rt_nr_xs; i++) {
		struct ult_xstream *xs = &ult_rt.rt_xs[i];
		struct mpsc_node *n;

		while ((n = mpsc_pop(&xs->xs_inbox)) != NULL) {
			struct ult *u = container_of(n, struct ult, u_node);

			if (u->u_state == ULT_NEW && d_list_empty(&u->u_all)) {
				/* never adopted: account it like the others */
				d_list_add_tail(&u->u_all, &xs->xs_all);
				xs->xs_nr_all++;
			}
		}
	}
	for (i = 0; i < ult_rt.rt_nr_xs; i++) {
		struct ult_xstream *xs = &ult_rt.rt_xs[i];
		struct ult *u;

		d_list_for_each_entry(u, &xs->xs_all, u_all)
		{
			struct ult_waiter *w, *tmp;

			D_WARN("xstream %d: ULT " DF_U64 " abandoned at shutdown (state %d)\n", i,
			       u->u_id, u->u_state);
			abandoned++;
			pthread_mutex_lock(&u->u_lock);
			u->u_rc = -DER_SHUTDOWN;
			d_list_for_each_entry_safe(w, tmp, &u->u_joiners, wt_link)
			{
				if (w->wt_ult == NULL) {
					d_list_del_init(&w->wt_link);
					ult_wake(w);
				}
			}
			/* joining ULTs are abandoned too and must not be queued */
			D_INIT_LIST_HEAD(&u->u_joiners);
			pthread_mutex_unlock(&u->u_lock);
		}
	}
	for (i = 0; i < ult_rt.rt_nr_xs; i++) {
		struct ult_xstream *xs = &ult_rt.rt_xs[i];
		struct ult *u;

		/* ult_finish() frees detached ULTs and marks the others done for their joiner. */
		while ((u = d_list_first_entry_or_null(&xs->xs_all, struct ult, u_all)) != NULL)
			ult_finish(xs, u);
		xs_cleanup(xs);
	}
	if (abandoned > 0)
		D_WARN("ULT runtime stopped with %d abandoned ULTs\n", abandoned);
	D_FREE(ult_rt.rt_xs);
	ult_rt.rt_nr_xs = 0;
	atomic_store(&ult_rt.rt_state, RT_DOWN);
	return abandoned;
}

int
ult_xs_nr(void)
{
	return atomic_load(&ult_rt.rt_state) == RT_UP ? ult_rt.rt_nr_xs : 0;
}

int
ult_xs_self(void)
{
	return ult_tls_xs != NULL ? ult_tls_xs->xs_id : -1;
}

struct ult *
ult_self(void)
{
	return ult_tls_xs != NULL ? ult_tls_xs->xs_cur : NULL;
}

uint64_t
ult_self_id(void)
{
	struct ult *u = ult_self();

	return u != NULL ? u->u_id : 0;
}

uint64_t
ult_id(const struct ult *ult)
{
	return ult != NULL ? ult->u_id : 0;
}

int
ult_create(int xs_id, void (*func)(void *arg), void *arg, size_t stack_size, struct ult **ultp)
{
	struct ult_xstream *xs;
	struct ult *u;
	int state = atomic_load(&ult_rt.rt_state);
	int rc;

	if (state != RT_UP)
		return state == RT_DOWN ? -DER_UNINIT : -DER_SHUTDOWN;
	if (func == NULL)
		return -DER_INVAL;
	if (xs_id == ULT_XS_SELF)
		xs_id = ult_tls_xs != NULL ? ult_tls_xs->xs_id : 0;
	if (xs_id < 0 || xs_id >= ult_rt.rt_nr_xs) {
		D_ERROR("no xstream %d (have %d)\n", xs_id, ult_rt.rt_nr_xs);
		return -DER_INVAL;
	}
	if (stack_size == 0)
		stack_size = ult_rt.rt_stack_size;
	else if (stack_size < ULT_STACK_MIN)
		return -DER_INVAL;
	stack_size = D_ALIGNUP(stack_size, ult_rt.rt_page);

	D_ALLOC_PTR(u);
	if (u == NULL)
		return -DER_NOMEM;
	rc = pthread_mutex_init(&u->u_lock, NULL);
	if (rc != 0) {
		D_FREE(u);
		return -DER_NOMEM;
	}
	xs = &ult_rt.rt_xs[xs_id];
	u->u_xs = xs;
	u->u_func = func;
	u->u_arg = arg;
	u->u_id = atomic_fetch_add(&ult_rt.rt_next_id, 1);
	u->u_stack_size = stack_size;
	u->u_state = ULT_NEW;
	u->u_heap_idx = -1;
	u->u_detached = (ultp == NULL);
	D_INIT_LIST_HEAD(&u->u_link);
	D_INIT_LIST_HEAD(&u->u_all);
	D_INIT_LIST_HEAD(&u->u_joiners);

	if (ultp != NULL)
		*ultp = u;
	if (ult_tls_xs == xs) {
		rc = xs_adopt(xs, u);
		if (rc != 0) {
			ult_free(u);
			if (ultp != NULL)
				*ultp = NULL;
			return rc;
		}
		runq_push(xs, u);
	} else {
		mpsc_push(&xs->xs_inbox, &u->u_node);
		xs_kick(xs);
	}
	return 0;
}

int
ult_join(struct ult *u)
{
	int rc;

	if (u == NULL || u == ult_self())
		return -DER_INVAL;
	pthread_mutex_lock(&u->u_lock);
	while (!u->u_done) {
		struct ult_waiter w;

		ult_waiter_init(&w);
		d_list_add_tail(&w.wt_link, &u->u_joiners);
		pthread_mutex_unlock(&u->u_lock);
		ult_park(&w, ULT_NO_TIMEOUT);
		pthread_mutex_lock(&u->u_lock);
	}
	pthread_mutex_unlock(&u->u_lock);
	rc = u->u_rc;
	ult_free(u);
	return rc;
}

int
ult_detach(struct ult *u)
{
	bool done;

	if (u == NULL)
		return -DER_INVAL;
	pthread_mutex_lock(&u->u_lock);
	done = u->u_done;
	if (!done)
		u->u_detached = true;
	pthread_mutex_unlock(&u->u_lock);
	if (done)
		ult_free(u);
	return 0;
}

void
ult_yield(void)
{
	struct ult *u = ult_self();

	if (u == NULL) {
		sched_yield();
		return;
	}
	ult_switch_out(u->u_xs, u, ULT_YIELDED);
}

void
ult_sleep_us(uint64_t us)
{
	struct ult_waiter w;

	if (ult_self() == NULL) {
		struct timespec ts = {.tv_sec = us / USEC_PER_SEC,
				      .tv_nsec = (us % USEC_PER_SEC) * 1000};

		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
		return;
	}
	ult_waiter_init(&w);
	ult_park(&w, ult_us2ns(us));
}

void
ult_sleep_ms(uint64_t ms)
{
	ult_sleep_us(ms > UINT64_MAX / 1000 ? UINT64_MAX : ms * 1000);
}

void
ult_exit(void)
{
	struct ult *u = ult_self();

	D_ASSERTF(u != NULL, "ult_exit() outside a ULT");
	ult_switch_out(u->u_xs, u, ULT_DONE);
	abort();
}

/* ------------------------------------------------------------------------
 * Pollers: the list is only touched by its xstream, so (un)registration from
 * elsewhere runs as a short ULT there.
 * ------------------------------------------------------------------------ */
struct xs_exec_arg {
	int (*fn)(void *arg);
	void *arg;
	int rc;
};

static void
xs_exec_ult(void *arg)
{
	struct xs_exec_arg *ea = arg;

	ea->rc = ea->fn(ea->arg);
}

static int
xs_exec(struct ult_xstream *xs, int (*fn)(void *arg), void *arg)
{
	struct xs_exec_arg ea = {.fn = fn, .arg = arg, .rc = 0};
	struct ult *u;
	int rc;

	if (ult_tls_xs == xs)
		return fn(arg);
	rc = ult_create(xs->xs_id, xs_exec_ult, &ea, 0, &u);
	if (rc != 0)
		return rc;
	rc = ult_join(u);
	return rc != 0 ? rc : ea.rc;
}

static int
poller_add(void *arg)
{
	struct ult_poller *p = arg;
	struct ult_xstream *xs = p->p_xs;

	if (p->p_fd >= 0) {
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = p};

		if (epoll_ctl(xs->xs_epfd, EPOLL_CTL_ADD, p->p_fd, &ev) != 0) {
			D_ERROR("cannot watch fd %d on xstream %d: %d\n", p->p_fd, xs->xs_id,
				errno);
			return errno == EEXIST ? -DER_EXIST : -DER_INVAL;
		}
	} else {
		xs->xs_nr_nofd++;
	}
	d_list_add_tail(&p->p_link, &xs->xs_pollers);
	return 0;
}

static int
poller_del(void *arg)
{
	struct ult_poller *p = arg;
	struct ult_xstream *xs = p->p_xs;

	if (p->p_dead)
		return -DER_ALREADY;
	p->p_dead = true;
	if (p->p_fd >= 0) {
		if (epoll_ctl(xs->xs_epfd, EPOLL_CTL_DEL, p->p_fd, NULL) != 0)
			D_WARN("fd %d of a poller on xstream %d: %d\n", p->p_fd, xs->xs_id, errno);
	} else {
		xs->xs_nr_nofd--;
	}
	return 0;
}

int
ult_poller_register(int xs_id, int (*poll)(void *arg), void *arg, int fd,
		    struct ult_poller **pollerp)
{
	struct ult_poller *p;
	int rc;

	if (atomic_load(&ult_rt.rt_state) != RT_UP)
		return -DER_UNINIT;
	if (xs_id == ULT_XS_SELF)
		xs_id = ult_tls_xs != NULL ? ult_tls_xs->xs_id : 0;
	if (poll == NULL || pollerp == NULL || xs_id < 0 || xs_id >= ult_rt.rt_nr_xs)
		return -DER_INVAL;
	D_ALLOC_PTR(p);
	if (p == NULL)
		return -DER_NOMEM;
	p->p_xs = &ult_rt.rt_xs[xs_id];
	p->p_poll = poll;
	p->p_arg = arg;
	p->p_fd = fd;
	D_INIT_LIST_HEAD(&p->p_link);
	rc = xs_exec(p->p_xs, poller_add, p);
	if (rc != 0) {
		D_FREE(p);
		return rc;
	}
	*pollerp = p;
	return 0;
}

int
ult_poller_unregister(struct ult_poller *p)
{
	if (p == NULL)
		return -DER_INVAL;
	if (atomic_load(&ult_rt.rt_state) != RT_UP)
		return -DER_UNINIT;
	/* the xstream frees it once it is outside its poll pass */
	return xs_exec(p->p_xs, poller_del, p);
}

/* ------------------------------------------------------------------------
 * Collective
 * ------------------------------------------------------------------------ */
struct coll_arg {
	int (*func)(void *arg, int xs_id, void *out);
	void *arg;
	void *out;
	int xs_id;
	int rc;
};

static void
coll_ult(void *arg)
{
	struct coll_arg *ca = arg;

	ca->rc = ca->func(ca->arg, ca->xs_id, ca->out);
}

int
ult_collective(int first_xs, int nr_xs, int (*func)(void *arg, int xs_id, void *out), void *arg,
	       void *outs, size_t out_size, int *rcs)
{
	struct coll_arg *cas;
	struct ult **ults;
	int total = ult_xs_nr();
	int rc = 0;
	int crc;
	int i;

	if (total == 0)
		return -DER_UNINIT;
	if (func == NULL || first_xs < 0 || first_xs >= total)
		return -DER_INVAL;
	if (nr_xs < 0)
		nr_xs = total - first_xs;
	if (nr_xs == 0 || first_xs + nr_xs > total)
		return nr_xs == 0 ? 0 : -DER_INVAL;

	D_ALLOC_ARRAY(cas, nr_xs);
	D_ALLOC_ARRAY(ults, nr_xs);
	if (cas == NULL || ults == NULL) {
		D_FREE(cas);
		D_FREE(ults);
		return -DER_NOMEM;
	}
	for (i = 0; i < nr_xs; i++) {
		cas[i].func = func;
		cas[i].arg = arg;
		cas[i].xs_id = first_xs + i;
		cas[i].out = outs != NULL ? (char *)outs + (size_t)i * out_size : NULL;
		crc = ult_create(first_xs + i, coll_ult, &cas[i], 0, &ults[i]);
		if (crc != 0) {
			/* the ULT may already have run and stored its result: only failures land here */
			cas[i].rc = crc;
			ults[i] = NULL;
		}
	}
	for (i = 0; i < nr_xs; i++) {
		if (ults[i] != NULL) {
			int jrc = ult_join(ults[i]);

			if (jrc != 0)
				cas[i].rc = jrc;
		}
		if (rcs != NULL)
			rcs[i] = cas[i].rc;
		if (rc == 0)
			rc = cas[i].rc;
	}
	D_FREE(cas);
	D_FREE(ults);
	return rc;
}
