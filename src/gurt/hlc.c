/*
 * Hybrid logical clock (HLC) and HLC tracker.
 *
 * One process-wide 64-bit clock word, advanced only by compare-and-swap so that readers
 * on any thread never block and every returned value is unique. The physical part comes
 * from CLOCK_REALTIME because timestamps are compared across nodes; the logical low bits
 * keep the clock strictly increasing when the wall clock stalls or steps backwards.
 */
#define D_LOGFAC DD_FAC(gurt)

#include <gurt/common.h>

/* Largest Unix nanosecond value the HLC can represent. */
#define HLC_UNIXNSEC_START (D_HLC_START_SEC * NSEC_PER_SEC)
#define HLC_NSEC_RANGE     (UINT64_MAX / D_HLC_NSEC)

static uint64_t hlc_clock;
static uint64_t hlc_tracker;
/* An HLC duration; d_hlc_epsilon_set() rounds it up to the physical resolution. */
static uint64_t hlc_epsilon = NSEC_PER_SEC * D_HLC_NSEC;

/* The local wall clock as an HLC value with a zero logical part. */
static uint64_t
hlc_physical_now(void)
{
	struct timespec now;
	uint64_t nsec;
	int rc;

	rc = clock_gettime(CLOCK_REALTIME, &now);
	D_ASSERTF(rc == 0, "clock_gettime(CLOCK_REALTIME): %d", errno);
	/*
	 * A wall clock before 2021 means the node has no usable time; ordering across nodes
	 * would be meaningless, so refuse to run rather than hand out wrapped timestamps.
	 */
	D_ASSERTF((uint64_t)now.tv_sec >= D_HLC_START_SEC, "system clock before 2021: %lld",
		  (long long)now.tv_sec);
	nsec = ((uint64_t)now.tv_sec - D_HLC_START_SEC) * NSEC_PER_SEC + (uint64_t)now.tv_nsec;
	return (nsec * D_HLC_NSEC) & ~D_HLC_MASK;
}

static inline uint64_t
hlc_load(const uint64_t *word)
{
	return __atomic_load_n(word, __ATOMIC_ACQUIRE);
}

static inline bool
hlc_cas(uint64_t *word, uint64_t *expected, uint64_t desired)
{
	return __atomic_compare_exchange_n(word, expected, desired, false, __ATOMIC_ACQ_REL,
					   __ATOMIC_ACQUIRE);
}

uint64_t
d_hlc_get(void)
{
	uint64_t pt = hlc_physical_now();
	uint64_t cur = hlc_load(&hlc_clock);
	uint64_t next;

	/*
	 * The next value is the physical time if that is ahead of everything issued so far,
	 * else one logical tick past the last value. A failed CAS reloads cur and retries.
	 */
	do {
		next = cur + 1 > pt ? cur + 1 : pt;
	} while (!hlc_cas(&hlc_clock, &cur, next));

	return next;
}

int
d_hlc_get_msg(uint64_t msg, uint64_t *hlc_out, uint64_t *offset)
{
	uint64_t pt = hlc_physical_now();
	uint64_t msg_phy = msg & ~D_HLC_MASK;
	uint64_t ahead = msg_phy > pt ? msg_phy - pt : 0;
	uint64_t cur;
	uint64_t next;

	if (offset != NULL)
		*offset = ahead;

	/* Adopting a timestamp that far ahead would drag every later epoch into the future. */
	if (ahead > __atomic_load_n(&hlc_epsilon, __ATOMIC_RELAXED))
		return -DER_HLC_SYNC;

	/*
	 * Standard HLC receive rule folded into 64-bit arithmetic: the result is the largest
	 * of (local + 1), (msg + 1) and the physical time, since a larger physical part always
	 * dominates and equal physical parts compare by their logical counters.
	 */
	cur = hlc_load(&hlc_clock);
	do {
		next = cur > msg ? cur + 1 : msg + 1;
		if (pt > next)
			next = pt;
	} while (!hlc_cas(&hlc_clock, &cur, next));

	if (hlc_out != NULL)
		*hlc_out = next;
	return 0;
}

uint64_t
d_hlc2nsec(uint64_t hlc)
{
	return hlc / D_HLC_NSEC;
}

uint64_t
d_nsec2hlc(uint64_t nsec)
{
	return nsec * D_HLC_NSEC;
}

uint64_t
d_hlc2unixnsec(uint64_t hlc)
{
	return d_hlc2nsec(hlc) + HLC_UNIXNSEC_START;
}

uint64_t
d_unixnsec2hlc(uint64_t unixnsec)
{
	if (unixnsec < HLC_UNIXNSEC_START || unixnsec - HLC_UNIXNSEC_START > HLC_NSEC_RANGE)
		return 0;
	return d_nsec2hlc(unixnsec - HLC_UNIXNSEC_START);
}

int
d_hlc2timespec(uint64_t hlc, struct timespec *ts)
{
	uint64_t nsec;

	if (ts == NULL)
		return -DER_INVAL;

	nsec = d_hlc2nsec(hlc);
	ts->tv_sec = (time_t)(nsec / NSEC_PER_SEC + D_HLC_START_SEC);
	ts->tv_nsec = (long)(nsec % NSEC_PER_SEC);
	return 0;
}

int
d_timespec2hlc(struct timespec ts, uint64_t *hlc)
{
	uint64_t sec;
	uint64_t nsec;

	if (hlc == NULL || ts.tv_nsec < 0 || ts.tv_nsec >= (long)NSEC_PER_SEC ||
	    ts.tv_sec < (time_t)D_HLC_START_SEC)
		return -DER_INVAL;

	sec = (uint64_t)ts.tv_sec - D_HLC_START_SEC;
	if (sec > HLC_NSEC_RANGE / NSEC_PER_SEC)
		return -DER_INVAL;
	nsec = sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
	if (nsec > HLC_NSEC_RANGE)
		return -DER_INVAL;

	*hlc = d_nsec2hlc(nsec);
	return 0;
}

uint64_t
d_hlc_age2sec(uint64_t hlc)
{
	uint64_t pt = hlc_physical_now();

	return pt > hlc ? d_hlc2sec(pt - hlc) : 0;
}

void
d_hlc_epsilon_set(uint64_t epsilon)
{
	uint64_t rounded;

	/* Saturate instead of wrapping to a tiny epsilon on absurd input. */
	if (epsilon > UINT64_MAX - D_HLC_MASK)
		rounded = ~D_HLC_MASK;
	else
		rounded = (epsilon + D_HLC_MASK) & ~D_HLC_MASK;

	__atomic_store_n(&hlc_epsilon, rounded, __ATOMIC_RELAXED);
	D_INFO("maximum system clock offset set to " DF_U64 " ns", d_hlc2nsec(rounded));
}

uint64_t
d_hlc_epsilon_get(void)
{
	return __atomic_load_n(&hlc_epsilon, __ATOMIC_RELAXED);
}

uint64_t
d_hlc_epsilon_get_bound(uint64_t hlc)
{
	return (hlc + d_hlc_epsilon_get()) | D_HLC_MASK;
}

uint64_t
d_hlct_get(void)
{
	return hlc_load(&hlc_tracker);
}

void
d_hlct_sync(uint64_t msg)
{
	uint64_t cur = hlc_load(&hlc_tracker);

	while (cur < msg && !hlc_cas(&hlc_tracker, &cur, msg))
		;
}
