/* Re-resolution scheduling (see agent/reresolve.h). */
#include "agent/reresolve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
}

void rr_free(struct rr_sched *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static struct rr_entry *find(struct rr_sched *s, const char *jail, const uint8_t key[WG_KEY_LEN])
{
	for (size_t i = 0; i < s->n; i++)
		if (!memcmp(s->v[i].key, key, WG_KEY_LEN) && !strcmp(s->v[i].jail, jail))
			return &s->v[i];
	return NULL;
}

static void drop(struct rr_sched *s, struct rr_entry *en)
{
	size_t i = (size_t)(en - s->v);

	s->v[i] = s->v[--s->n];
}

bool rr_due(struct rr_sched *s, const char *jail, const uint8_t key[WG_KEY_LEN], int64_t last_handshake,
	    time_t now, const struct rr_params *p)
{
	struct rr_entry *en = find(s, jail, key);

	if (!rr_handshake_stale(last_handshake, now, p)) {
		if (en)
			drop(s, en);
		return false;
	}
	return !en || now >= en->next;
}

int rr_attempted(struct rr_sched *s, const char *jail, const uint8_t key[WG_KEY_LEN], time_t now,
		 const struct rr_params *p)
{
	struct rr_entry *en = find(s, jail, key);

	if (!en) {
		if (s->n == s->cap) {
			size_t cap = s->cap ? s->cap * 2 : 8;
			struct rr_entry *nv = realloc(s->v, cap * sizeof(*nv));
			if (!nv)
				return -1;
			s->v = nv;
			s->cap = cap;
		}
		en = &s->v[s->n++];
		memset(en, 0, sizeof(*en));
		snprintf(en->jail, sizeof(en->jail), "%s", jail);
		memcpy(en->key, key, WG_KEY_LEN);
		en->backoff = p->backoff_min;
	}
	en->next = now + (time_t)en->backoff;
	en->backoff = en->backoff > p->backoff_max / 2 ? p->backoff_max : en->backoff * 2;
	return 0;
}

time_t rr_next(const struct rr_sched *s)
{
	time_t t = 0;

	for (size_t i = 0; i < s->n; i++)
		if (!t || s->v[i].next < t)
			t = s->v[i].next;
	return t;
}

void rr_mark(struct rr_sched *s, const char *jail, const uint8_t key[WG_KEY_LEN])
{
	struct rr_entry *en = find(s, jail, key);

	if (en)
		en->seen = true;
}

void rr_sweep(struct rr_sched *s, const char *jail)
{
	size_t i = 0;

	while (i < s->n) {
		struct rr_entry *en = &s->v[i];
		if ((!jail || !strcmp(en->jail, jail)) && !en->seen) {
			drop(s, en);
			continue;
		}
		if (!jail || !strcmp(en->jail, jail))
			en->seen = false;
		i++;
	}
}
