/**
 * Doubly linked lists (circular, with a head node) and hash-bucket lists
 * (singly headed), in the Linux kernel's style and with DAOS's d_ names.
 */
#ifndef __GURT_LIST_H__
#define __GURT_LIST_H__

#include <stddef.h>

#ifndef container_of
#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))
#endif

typedef struct d_list_head {
	struct d_list_head *next;
	struct d_list_head *prev;
} d_list_t;

#define D_LIST_HEAD_INIT(name) {&(name), &(name)}
#define D_LIST_HEAD(name)      d_list_t name = D_LIST_HEAD_INIT(name)
#define D_INIT_LIST_HEAD(ptr)                                                                      \
	do {                                                                                       \
		(ptr)->next = (ptr);                                                               \
		(ptr)->prev = (ptr);                                                               \
	} while (0)

static inline void
d_list_add_between(d_list_t *item, d_list_t *prev, d_list_t *next)
{
	next->prev = item;
	item->next = next;
	item->prev = prev;
	prev->next = item;
}

/** Insert \a item right after \a head (stack order). */
static inline void
d_list_add(d_list_t *item, d_list_t *head)
{
	d_list_add_between(item, head, head->next);
}

/** Insert \a item right before \a head (queue order). */
static inline void
d_list_add_tail(d_list_t *item, d_list_t *head)
{
	d_list_add_between(item, head->prev, head);
}

static inline void
d_list_del_between(d_list_t *prev, d_list_t *next)
{
	next->prev = prev;
	prev->next = next;
}

/** Unlink \a item; it is left dangling (use d_list_del_init to reuse it). */
static inline void
d_list_del(d_list_t *item)
{
	d_list_del_between(item->prev, item->next);
	item->next = NULL;
	item->prev = NULL;
}

static inline void
d_list_del_init(d_list_t *item)
{
	d_list_del_between(item->prev, item->next);
	D_INIT_LIST_HEAD(item);
}

static inline void
d_list_move(d_list_t *item, d_list_t *head)
{
	d_list_del_between(item->prev, item->next);
	d_list_add(item, head);
}

static inline void
d_list_move_tail(d_list_t *item, d_list_t *head)
{
	d_list_del_between(item->prev, item->next);
	d_list_add_tail(item, head);
}

static inline int
d_list_empty(const d_list_t *head)
{
	return head->next == head;
}

static inline int
d_list_is_last(const d_list_t *item, const d_list_t *head)
{
	return item->next == head;
}

static inline void
d_list_splice_between(d_list_t *list, d_list_t *prev, d_list_t *next)
{
	d_list_t *first = list->next;
	d_list_t *last  = list->prev;

	first->prev = prev;
	prev->next  = first;
	last->next  = next;
	next->prev  = last;
}

/** Move every entry of \a list to the front of \a head; \a list is left undefined. */
static inline void
d_list_splice(d_list_t *list, d_list_t *head)
{
	if (!d_list_empty(list))
		d_list_splice_between(list, head, head->next);
}

static inline void
d_list_splice_init(d_list_t *list, d_list_t *head)
{
	if (!d_list_empty(list)) {
		d_list_splice_between(list, head, head->next);
		D_INIT_LIST_HEAD(list);
	}
}

static inline void
d_list_splice_tail_init(d_list_t *list, d_list_t *head)
{
	if (!d_list_empty(list)) {
		d_list_splice_between(list, head->prev, head);
		D_INIT_LIST_HEAD(list);
	}
}

#define d_list_entry(ptr, type, member) container_of(ptr, type, member)

#define d_list_first_entry(head, type, member) d_list_entry((head)->next, type, member)

/** First entry of the list or NULL when it is empty. */
#define d_list_first_entry_or_null(head, type, member)                                             \
	(d_list_empty(head) ? NULL : d_list_first_entry(head, type, member))

/** Remove the first entry of the list and return it, or NULL when empty. */
#define d_list_pop_entry(head, type, member)                                                       \
	({                                                                                         \
		type *__e = d_list_first_entry_or_null(head, type, member);                        \
		if (__e != NULL)                                                                   \
			d_list_del_init((head)->next);                                             \
		__e;                                                                               \
	})

#define d_list_for_each(pos, head) for (pos = (head)->next; pos != (head); pos = pos->next)

#define d_list_for_each_safe(pos, n, head)                                                         \
	for (pos = (head)->next, n = pos->next; pos != (head); pos = n, n = pos->next)

#define d_list_for_each_entry(pos, head, member)                                                   \
	for (pos = d_list_entry((head)->next, __typeof__(*pos), member); &pos->member != (head);   \
	     pos = d_list_entry(pos->member.next, __typeof__(*pos), member))

#define d_list_for_each_entry_reverse(pos, head, member)                                           \
	for (pos = d_list_entry((head)->prev, __typeof__(*pos), member); &pos->member != (head);   \
	     pos = d_list_entry(pos->member.prev, __typeof__(*pos), member))

#define d_list_for_each_entry_safe(pos, n, head, member)                                           \
	for (pos = d_list_entry((head)->next, __typeof__(*pos), member),                           \
	    n    = d_list_entry(pos->member.next, __typeof__(*pos), member);                       \
	     &pos->member != (head);                                                               \
	     pos = n, n = d_list_entry(n->member.next, __typeof__(*n), member))

#define d_list_for_each_entry_continue(pos, head, member)                                          \
	for (pos = d_list_entry(pos->member.next, __typeof__(*pos), member);                       \
	     &pos->member != (head);                                                               \
	     pos = d_list_entry(pos->member.next, __typeof__(*pos), member))

/* Hash-bucket lists: a head of one pointer, nodes doubly linked. */
typedef struct d_hlist_node {
	struct d_hlist_node  *next;
	struct d_hlist_node **pprev;
} d_hlist_node_t;

typedef struct d_hlist_head {
	d_hlist_node_t *first;
} d_hlist_head_t;

#define D_HLIST_HEAD_INIT {NULL}
#define D_INIT_HLIST_HEAD(ptr) ((ptr)->first = NULL)

static inline void
D_INIT_HLIST_NODE(d_hlist_node_t *n)
{
	n->next  = NULL;
	n->pprev = NULL;
}

static inline int
d_hlist_unhashed(const d_hlist_node_t *n)
{
	return n->pprev == NULL;
}

static inline int
d_hlist_empty(const d_hlist_head_t *h)
{
	return h->first == NULL;
}

static inline void
d_hlist_del(d_hlist_node_t *n)
{
	*n->pprev = n->next;
	if (n->next)
		n->next->pprev = n->pprev;
}

static inline void
d_hlist_del_init(d_hlist_node_t *n)
{
	if (!d_hlist_unhashed(n)) {
		d_hlist_del(n);
		D_INIT_HLIST_NODE(n);
	}
}

static inline void
d_hlist_add_head(d_hlist_node_t *n, d_hlist_head_t *h)
{
	n->next = h->first;
	if (h->first)
		h->first->pprev = &n->next;
	h->first = n;
	n->pprev = &h->first;
}

#define d_hlist_entry(ptr, type, member) container_of(ptr, type, member)

#define d_hlist_for_each(pos, head) for (pos = (head)->first; pos; pos = pos->next)

#define d_hlist_for_each_safe(pos, n, head)                                                        \
	for (pos = (head)->first; pos && ({                                                        \
					  n = pos->next;                                           \
					  1;                                                       \
				  });                                                              \
	     pos = n)

#endif /* __GURT_LIST_H__ */
