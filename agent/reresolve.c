/* Re-resolution scheduling (see agent/reresolve.h). */
#include "agent/reresolve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "util/array.h"
#include "util/tunables.h"
#include "wg/model.h"
#include "wg/resolve.h"

void rr_params_default(struct rr_params *p)
{
	p->after = wj_tunable(WJ_RERESOLVE_AFTER);
	p->backoff_min = wj_tunable(WJ_RERESOLVE_BACKOFF_MIN);
	p->backoff_max = wj_tunable(WJ_RERESOLVE_BACKOFF_MAX);
	if (p->backoff_max < p->backoff_min)
		p->backoff_max = p->backoff_min;
}

bool rr_endpoint_is_name(const char *text)
{
	union wg_sockaddr sa;

	return text && *text && wg_endpoint_parse_numeric(text, strlen(text), &sa) < 0;
}

bool rr_handshake_stale(int64_t last_handshake, time_t now, const struct rr_params *p)
{
	return last_handshake <= 0 || (int64_t)now - last_handshake > (int64_t)p->after;
}

void rr_init(struct rr_sched *s)
{
	memset(s, 0, sizeof(*s));
	randombytes_buf(s->hkey, sizeof(s->hkey));
}

void rr_free(struct rr_sched *s)
{
	free(s->v);
	free(s->idx);
	memset(s, 0, sizeof(*s));
}

static size_t slot_of(const struct rr_sched *s, const char *jail, const uint8_t key[WG_KEY_LEN])
{
	unsigned char in[WG_KEY_LEN + WJ_JAIL_NAME_MAX + 1], h[crypto_shorthash_BYTES];
	size_t jl = strlen(jail);
	uint64_t v;

	_Static_assert(sizeof(s->hkey) == crypto_shorthash_KEYBYTES, "SipHash key size");
	memcpy(in, key, WG_KEY_LEN);
	memcpy(in + WG_KEY_LEN, jail, jl);
	crypto_shorthash(h, in, WG_KEY_LEN + jl, s->hkey);
	memcpy(&v, h, sizeof(v));
	return (size_t)v & (s->icap - 1);
}

/* (Re)index every entry, with room for at least N. */
static int reindex(struct rr_sched *s, size_t n)
{
	size_t cap = 16;
	uint32_t *idx;

	while (cap < 2 * n)
		cap *= 2;
	if (!(idx = calloc(cap, sizeof(*idx))))
		return -1;
	free(s->idx);
	s->idx = idx;
	s->icap = cap;
	for (size_t i = 0; i < s->n; i++) {
		size_t k = slot_of(s, s->v[i].jail, s->v[i].key);
		while (s->idx[k])
			k = (k + 1) & (s->icap - 1);
		s->idx[k] = (uint32_t)(i + 1);
	}
	return 0;
}

struct rr_entry *rr_find(struct rr_sched *s, const char *jail, const uint8_t key[WG_KEY_LEN])
{
	if (!s->icap)
		return NULL;
	for (size_t k = slot_of(s, jail, key); s->idx[k]; k = (k + 1) & (s->icap - 1)) {
		struct rr_entry *en = &s->v[s->idx[k] - 1];
		if (!memcmp(en->key, key, WG_KEY_LEN) && !strcmp(en->jail, jail))
			return en;
	}
	return NULL;
}

bool rr_due(struct rr_sched *s, const char *jail, const uint8_t key[WG_KEY_LEN], int64_t last_handshake,
	    time_t now, const struct rr_params *p)
{
	struct rr_entry *en = rr_find(s, jail, key);
	bool triggered = s->trigger && (!en || en->last < s->trigger);

	if (!rr_handshake_stale(last_handshake, now, p) && !triggered) {
		if (en && en->backoff != p->backoff_min) { /* a handshake: back-off from the start */
			en->backoff = p->backoff_min;
			en->next = en->last + (time_t)p->backoff_min;
		}
		return false;
	}
	return !en || now >= en->next;
}

int rr_attempted(struct rr_sched *s, const char *jail, const uint8_t key[WG_KEY_LEN], time_t now,
		 const struct rr_params *p)
{
	struct rr_entry *en = rr_find(s, jail, key);

	if (!en) {
		struct rr_entry *nv = wj_grow(s->v, &s->cap, s->n, sizeof(*nv), 8);
		if (!nv)
			return -1;
		s->v = nv;
		if ((s->n + 1) * 2 > s->icap && reindex(s, s->n + 1) < 0)
			return -1;
		en = &s->v[s->n++];
		memset(en, 0, sizeof(*en));
		snprintf(en->jail, sizeof(en->jail), "%s", jail);
		memcpy(en->key, key, WG_KEY_LEN);
		en->backoff = p->backoff_min;
		{
			size_t k = slot_of(s, jail, key);
			while (s->idx[k])
				k = (k + 1) & (s->icap - 1);
			s->idx[k] = (uint32_t)s->n;
		}
	}
	en->last = now;
	en->next = now + (time_t)en->backoff;
	en->backoff = en->backoff > p->backoff_max / 2 ? p->backoff_max : en->backoff * 2;
	return 0;
}

void rr_trigger(struct rr_sched *s, time_t now, const struct rr_params *p)
{
	s->trigger = now;
	for (size_t i = 0; i < s->n; i++) {
		struct rr_entry *en = &s->v[i];
		en->backoff = p->backoff_min;
		if (en->next > en->last + (time_t)p->backoff_min)
			en->next = en->last + (time_t)p->backoff_min;
	}
}

void rr_mark(struct rr_sched *s, const char *jail, const uint8_t key[WG_KEY_LEN])
{
	struct rr_entry *en = rr_find(s, jail, key);

	if (en)
		en->seen = true;
}

void rr_sweep(struct rr_sched *s, const char *jail)
{
	size_t i = 0, out = 0;
	bool dropped = false;

	for (i = 0; i < s->n; i++) {
		struct rr_entry *en = &s->v[i];
		bool mine = !jail || !strcmp(en->jail, jail);
		if (mine && !en->seen) {
			dropped = true;
			continue;
		}
		if (mine)
			en->seen = false;
		if (out != i)
			s->v[out] = *en;
		out++;
	}
	s->n = out;
	if (dropped && reindex(s, s->n) < 0) {
		/* no memory for a smaller index: keep the old size */
		free(s->idx);
		s->idx = NULL;
		s->icap = 0;
		if (s->n)
			s->n = 0; /* forgetting the schedule is safe: peers are simply due again */
	}
}
