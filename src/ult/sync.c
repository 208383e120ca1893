/**
 * ULT-aware synchronization: eventual, mutex, condition variable, rwlock.
 *
 * Each object has a short internal pthread mutex guarding its state and its
 * FIFO of waiters; it is never held across a park. A waiter lives on the
 * waiting ULT's (or thread's) stack and is woken at most once (ult_wake()).
 * Mutex and rwlock hand ownership directly to the woken waiter, so a woken
 * waiter never has to compete again and nobody starves.
 */
#define D_LOGFAC DD_FAC(server)

#include "ult_internal.h"

/* Park on \a list (guarded by \a lock, held on entry and on return). */
static bool
wait_on(pthread_mutex_t *lock, d_list_t *list, uint64_t timeout_ns)
{
	struct ult_waiter w;

	ult_waiter_init(&w);
	d_list_add_tail(&w.wt_link, list);
	pthread_mutex_unlock(lock);
	ult_park(&w, timeout_ns);
	pthread_mutex_lock(lock);
	/* A timed-out waiter is still queued; a woken one was unlinked by its waker. */
	if (w.wt_timed_out) {
		d_list_del_init(&w.wt_link);
		return false;
	}
	return true;
}

/* Wake the first waiter of \a list that is still waiting; false if none. */
static bool
wake_one(d_list_t *list)
{
	struct ult_waiter *w;

	while ((w = d_list_pop_entry(list, struct ult_waiter, wt_link)) != NULL) {
		if (ult_wake(w))
			return true;
	}
	return false;
}

static int
wake_all(d_list_t *list)
{
	int n = 0;

	while (wake_one(list))
		n++;
	return n;
}

/* ------------------------------------------------------------------------
 * Eventual
 * ------------------------------------------------------------------------ */
struct ult_eventual {
	pthread_mutex_t ev_lock;
	d_list_t ev_waiters;
	bool ev_ready;
	size_t ev_size;
	void *ev_value;
};

int
ult_eventual_create(size_t nbytes, ult_eventual_t *evp)
{
	struct ult_eventual *ev;

	if (evp == NULL)
		return -DER_INVAL;
	D_ALLOC_PTR(ev);
	if (ev == NULL)
		return -DER_NOMEM;
	if (nbytes > 0) {
		D_ALLOC(ev->ev_value, nbytes);
		if (ev->ev_value == NULL) {
			D_FREE(ev);
			return -DER_NOMEM;
		}
	}
	pthread_mutex_init(&ev->ev_lock, NULL);
	D_INIT_LIST_HEAD(&ev->ev_waiters);
	ev->ev_size = nbytes;
	*evp = ev;
	return 0;
}

int
ult_eventual_free(ult_eventual_t *evp)
{
	struct ult_eventual *ev;

	if (evp == NULL || *evp == NULL)
		return -DER_INVAL;
	ev = *evp;
	pthread_mutex_destroy(&ev->ev_lock);
	D_FREE(ev->ev_value);
	D_FREE(ev);
	*evp = NULL;
	return 0;
}

static int
eventual_wait(ult_eventual_t ev, void **valuep, uint64_t timeout_ns)
{
	int rc = 0;

	if (ev == NULL)
		return -DER_INVAL;
	pthread_mutex_lock(&ev->ev_lock);
	while (!ev->ev_ready) {
		if (!wait_on(&ev->ev_lock, &ev->ev_waiters, timeout_ns)) {
			rc = -DER_TIMEDOUT;
			break;
		}
	}
	if (rc == 0 && valuep != NULL)
		*valuep = ev->ev_value;
	pthread_mutex_unlock(&ev->ev_lock);
	return rc;
}

int
ult_eventual_wait(ult_eventual_t ev, void **valuep)
{
	return eventual_wait(ev, valuep, ULT_NO_TIMEOUT);
}

int
ult_eventual_timedwait(ult_eventual_t ev, void **valuep, uint64_t timeout_us)
{
	return eventual_wait(ev, valuep, ult_us2ns(timeout_us));
}

int
ult_eventual_set(ult_eventual_t ev, const void *value, size_t nbytes)
{
	if (ev == NULL || nbytes > ev->ev_size || (nbytes > 0 && value == NULL))
		return -DER_INVAL;
	pthread_mutex_lock(&ev->ev_lock);
	if (nbytes > 0)
		memcpy(ev->ev_value, value, nbytes);
	ev->ev_ready = true;
	wake_all(&ev->ev_waiters);
	pthread_mutex_unlock(&ev->ev_lock);
	return 0;
}

int
ult_eventual_test(ult_eventual_t ev, void **valuep, bool *is_ready)
{
	if (ev == NULL || is_ready == NULL)
		return -DER_INVAL;
	pthread_mutex_lock(&ev->ev_lock);
	*is_ready = ev->ev_ready;
	if (ev->ev_ready && valuep != NULL)
		*valuep = ev->ev_value;
	pthread_mutex_unlock(&ev->ev_lock);
	return 0;
}

int
ult_eventual_reset(ult_eventual_t ev)
{
	if (ev == NULL)
		return -DER_INVAL;
	pthread_mutex_lock(&ev->ev_lock);
	ev->ev_ready = false;
	pthread_mutex_unlock(&ev->ev_lock);
	return 0;
}

/* ------------------------------------------------------------------------
 * Mutex
 * ------------------------------------------------------------------------ */
struct ult_mutex {
	pthread_mutex_t m_lock;
	d_list_t m_waiters;
	bool m_locked;
};

int
ult_mutex_create(ult_mutex_t *mp)
{
	struct ult_mutex *m;

	if (mp == NULL)
		return -DER_INVAL;
	D_ALLOC_PTR(m);
	if (m == NULL)
		return -DER_NOMEM;
	pthread_mutex_init(&m->m_lock, NULL);
	D_INIT_LIST_HEAD(&m->m_waiters);
	*mp = m;
	return 0;
}

int
ult_mutex_free(ult_mutex_t *mp)
{
	if (mp == NULL || *mp == NULL)
		return -DER_INVAL;
	if ((*mp)->m_locked || !d_list_empty(&(*mp)->m_waiters)) {
		D_ERROR("freeing a held mutex\n");
		return -DER_BUSY;
	}
	pthread_mutex_destroy(&(*mp)->m_lock);
	D_FREE(*mp);
	return 0;
}

int
ult_mutex_lock(ult_mutex_t m)
{
	if (m == NULL)
		return -DER_INVAL;
	pthread_mutex_lock(&m->m_lock);
	if (!m->m_locked)
		m->m_locked = true;
	else
		/* on wake-up the unlocker has handed the mutex over: m_locked stays true */
		wait_on(&m->m_lock, &m->m_waiters, ULT_NO_TIMEOUT);
	pthread_mutex_unlock(&m->m_lock);
	return 0;
}

int
ult_mutex_trylock(ult_mutex_t m)
{
	int rc = 0;

	if (m == NULL)
		return -DER_INVAL;
	pthread_mutex_lock(&m->m_lock);
	if (m->m_locked)
		rc = -DER_BUSY;
	else
		m->m_locked = true;
	pthread_mutex_unlock(&m->m_lock);
	return rc;
}

int
ult_mutex_unlock(ult_mutex_t m)
{
	if (m == NULL)
		return -DER_INVAL;
	pthread_mutex_lock(&m->m_lock);
	if (!m->m_locked) {
		pthread_mutex_unlock(&m->m_lock);
		D_ERROR("unlocking a mutex that is not locked\n");
		return -DER_INVAL;
	}
	if (!wake_one(&m->m_waiters))
		m->m_locked = false;
	pthread_mutex_unlock(&m->m_lock);
	return 0;
}

/* ------------------------------------------------------------------------
 * Condition variable
 * ------------------------------------------------------------------------ */
struct ult_cond {
	pthread_mutex_t cv_lock;
	d_list_t cv_waiters;
};

int
ult_cond_create(ult_cond_t *cvp)
{
	struct ult_cond *cv;

	if (cvp == NULL)
		return -DER_INVAL;
	D_ALLOC_PTR(cv);
	if (cv == NULL)
		return -DER_NOMEM;
	pthread_mutex_init(&cv->cv_lock, NULL);
	D_INIT_LIST_HEAD(&cv->cv_waiters);
	*cvp = cv;
	return 0;
}

int
ult_cond_free(ult_cond_t *cvp)
{
	if (cvp == NULL || *cvp == NULL)
		return -DER_INVAL;
	if (!d_list_empty(&(*cvp)->cv_waiters))
		return -DER_BUSY;
	pthread_mutex_destroy(&(*cvp)->cv_lock);
	D_FREE(*cvp);
	return 0;
}

static int
cond_wait(ult_cond_t cv, ult_mutex_t m, uint64_t timeout_ns)
{
	struct ult_waiter w;
	int rc;

	if (cv == NULL || m == NULL)
		return -DER_INVAL;
	/* Queue before releasing m so a signal sent right after the release finds us. */
	ult_waiter_init(&w);
	pthread_mutex_lock(&cv->cv_lock);
	d_list_add_tail(&w.wt_link, &cv->cv_waiters);
	pthread_mutex_unlock(&cv->cv_lock);
	rc = ult_mutex_unlock(m);
	if (rc != 0) {
		/* the caller did not hold m: withdraw */
		pthread_mutex_lock(&cv->cv_lock);
		d_list_del_init(&w.wt_link);
		pthread_mutex_unlock(&cv->cv_lock);
		if (!atomic_exchange(&w.wt_armed, 0)) {
			/* a signal already picked us: take its wake-up, then pass the signal on */
			ult_park(&w, ULT_NO_TIMEOUT);
			ult_cond_signal(cv);
		}
		return rc;
	}
	ult_park(&w, timeout_ns);
	if (w.wt_timed_out) {
		pthread_mutex_lock(&cv->cv_lock);
		d_list_del_init(&w.wt_link);
		pthread_mutex_unlock(&cv->cv_lock);
	}
	ult_mutex_lock(m);
	return w.wt_timed_out ? -DER_TIMEDOUT : 0;
}

int
ult_cond_wait(ult_cond_t cv, ult_mutex_t m)
{
	return cond_wait(cv, m, ULT_NO_TIMEOUT);
}

int
ult_cond_timedwait(ult_cond_t cv, ult_mutex_t m, uint64_t timeout_us)
{
	return cond_wait(cv, m, ult_us2ns(timeout_us));
}

int
ult_cond_signal(ult_cond_t cv)
{
	if (cv == NULL)
		return -DER_INVAL;
	pthread_mutex_lock(&cv->cv_lock);
	wake_one(&cv->cv_waiters);
	pthread_mutex_unlock(&cv->cv_lock);
	return 0;
}

int
ult_cond_broadcast(ult_cond_t cv)
{
	if (cv == NULL)
		return -DER_INVAL;
	pthread_mutex_lock(&cv->cv_lock);
	wake_all(&cv->cv_waiters);
	pthread_mutex_unlock(&cv->cv_lock);
	return 0;
}

/* ------------------------------------------------------------------------
 * Reader/writer lock
 * ------------------------------------------------------------------------ */
struct ult_rwlock {
	pthread_mutex_t rw_lock;
	d_list_t rw_readers; /* waiting readers */
	d_list_t rw_writers; /* waiting writers */
	int rw_nr_read;      /* active readers */
	bool rw_write;       /* a writer holds it */
};

int
ult_rwlock_create(ult_rwlock_t *lp)
{
	struct ult_rwlock *l;

	if (lp == NULL)
		return -DER_INVAL;
	D_ALLOC_PTR(l);
	if (l == NULL)
		return -DER_NOMEM;
	pthread_mutex_init(&l->rw_lock, NULL);
	D_INIT_LIST_HEAD(&l->rw_readers);
	D_INIT_LIST_HEAD(&l->rw_writers);
	*lp = l;
	return 0;
}

int
ult_rwlock_free(ult_rwlock_t *lp)
{
	struct ult_rwlock *l;

	if (lp == NULL || *lp == NULL)
		return -DER_INVAL;
	l = *lp;
	if (l->rw_write || l->rw_nr_read > 0 || !d_list_empty(&l->rw_readers) ||
	    !d_list_empty(&l->rw_writers))
		return -DER_BUSY;
	pthread_mutex_destroy(&l->rw_lock);
	D_FREE(*lp);
	return 0;
}

int
ult_rwlock_rdlock(ult_rwlock_t l)
{
	if (l == NULL)
		return -DER_INVAL;
	pthread_mutex_lock(&l->rw_lock);
	if (!l->rw_write && d_list_empty(&l->rw_writers))
		l->rw_nr_read++;
	else
		/* the waker counted us in rw_nr_read */
		wait_on(&l->rw_lock, &l->rw_readers, ULT_NO_TIMEOUT);
	pthread_mutex_unlock(&l->rw_lock);
	return 0;
}

int
ult_rwlock_wrlock(ult_rwlock_t l)
{
	if (l == NULL)
		return -DER_INVAL;
	pthread_mutex_lock(&l->rw_lock);
	if (!l->rw_write && l->rw_nr_read == 0)
		l->rw_write = true;
	else
		/* the waker set rw_write for us */
		wait_on(&l->rw_lock, &l->rw_writers, ULT_NO_TIMEOUT);
	pthread_mutex_unlock(&l->rw_lock);
	return 0;
}

int
ult_rwlock_unlock(ult_rwlock_t l)
{
	if (l == NULL)
		return -DER_INVAL;
	pthread_mutex_lock(&l->rw_lock);
	if (l->rw_write) {
		l->rw_write = false;
	} else if (l->rw_nr_read > 0) {
		l->rw_nr_read--;
	} else {
		pthread_mutex_unlock(&l->rw_lock);
		D_ERROR("unlocking an rwlock that is not held\n");
		return -DER_INVAL;
	}
	if (!l->rw_write && l->rw_nr_read == 0) {
		/* Writers first; if none is waiting, admit every waiting reader at once. */
		if (wake_one(&l->rw_writers))
			l->rw_write = true;
		else
			l->rw_nr_read += wake_all(&l->rw_readers);
	}
	pthread_mutex_unlock(&l->rw_lock);
	return 0;
}
