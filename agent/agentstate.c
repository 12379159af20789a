/* The agent's state file (see agent/agentstate.h). */
#include "agent/agentstate.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/fsutil.h"
#include "util/paths.h"

#define AS_MAGIC "wgjail-agent-state 1"
#define AS_MAX (256u << 20)
#define AS_FIELDS 8

int agentstate_path(char *out, size_t outsz)
{
	return snprintf(out, outsz, "%s/agent.state", wj_rundir()) >= (int)outsz ? -1 : 0;
}

/* TEXT with every control character (tabs and newlines included) made a
 * space. */
static void put_clean(FILE *f, const char *text)
{
	for (const unsigned char *c = (const unsigned char *)text; *c; c++)
		fputc(*c < 0x20 || *c == 0x7f ? ' ' : *c, f);
}

void agentstate_put_agent(FILE *f, long pid, int64_t start, uint64_t resolver_restarts, long resolver_pid,
			  unsigned stale_after, unsigned down_after)
{
	fprintf(f, AS_MAGIC "\npid\t%ld\nstart\t%" PRId64 "\nresolver_restarts\t%" PRIu64
		"\nresolver_pid\t%ld\nstale_after\t%u\ndown_after\t%u\n",
		pid, start, resolver_restarts, resolver_pid, stale_after, down_after);
}

void agentstate_put_jail(FILE *f, const struct as_jail *j)
{
	fprintf(f, "jail\t%s\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRId64 "\t%" PRIu64 "\n", j->name, j->reconciles,
		j->failures, j->resolution_failures, j->last_ok, j->restarts);
}

void agentstate_put_rerr(FILE *f, const char *jail, const uint8_t key[WG_KEY_LEN], const char *endpoint,
			 const char *error)
{
	char kb[WG_KEY_B64_LEN + 1];

	key_to_base64(kb, key);
	fprintf(f, "rerr\t%s\t%s\t", jail, kb);
	put_clean(f, endpoint);
	fputc('\t', f);
	put_clean(f, error);
	fputc('\n', f);
}

/* Split LINE at tabs into at most AS_FIELDS fields; the count. */
static size_t split(char *line, char **fv)
{
	size_t n = 0;

	for (char *p = line;; n++) {
		char *tab = strchr(p, '\t');
		if (n == AS_FIELDS)
			return AS_FIELDS + 1; /* too many */
		fv[n] = p;
		if (!tab)
			return n + 1;
		*tab = '\0';
		p = tab + 1;
	}
}

static int num(const char *path, unsigned line, const char *s, uint64_t max, uint64_t *out, struct wj_err *e)
{
	char q[64];

	if (wj_parse_uint(s, 0, max, out) < 0)
		return wj_errf(e, "%s:%u: '%s' is not a number", path, line, wj_quote(s, q, sizeof(q)));
	return 0;
}

static int parse_line(const char *path, unsigned ln, char *line, struct agent_state *s, struct wj_err *e)
{
	static const struct {
		const char *name;
		size_t off;
		uint64_t max;
	} scalars[] = {
		{"pid", offsetof(struct agent_state, pid), INT32_MAX},
		{"resolver_pid", offsetof(struct agent_state, resolver_pid), INT32_MAX},
		{"start", offsetof(struct agent_state, start), INT64_MAX},
		{"resolver_restarts", offsetof(struct agent_state, resolver_restarts), UINT64_MAX},
		{"stale_after", offsetof(struct agent_state, stale_after), UINT32_MAX},
		{"down_after", offsetof(struct agent_state, down_after), UINT32_MAX},
	};
	char *fv[AS_FIELDS + 1], q[64];
	size_t nf = split(line, fv);
	uint64_t v[5];

	for (size_t i = 0; i < sizeof(scalars) / sizeof(scalars[0]); i++) {
		if (strcmp(fv[0], scalars[i].name))
			continue;
		if (nf != 2)
			return wj_errf(e, "%s:%u: %s takes one value", path, ln, fv[0]);
		if (num(path, ln, fv[1], scalars[i].max, &v[0], e) < 0)
			return -1;
		memcpy((char *)s + scalars[i].off, &v[0], sizeof(v[0]));
		return 0;
	}
	if (!strcmp(fv[0], "jail")) {
		struct as_jail *nj, *j;
		if (nf != 7 || wj_jail_name_invalid(fv[1]))
			return wj_errf(e, "%s:%u: a malformed jail record", path, ln);
		for (int i = 0; i < 5; i++)
			if (num(path, ln, fv[2 + i], i == 3 ? INT64_MAX : UINT64_MAX, &v[i], e) < 0)
				return -1;
		if (!(nj = realloc(s->jails, (s->n_jails + 1) * sizeof(*nj))))
			return wj_errnof(e, ENOMEM, "%s", path);
		s->jails = nj;
		j = &s->jails[s->n_jails++];
		memset(j, 0, sizeof(*j));
		snprintf(j->name, sizeof(j->name), "%s", fv[1]);
		j->reconciles = v[0];
		j->failures = v[1];
		j->resolution_failures = v[2];
		j->last_ok = (int64_t)v[3];
		j->restarts = v[4];
		return 0;
	}
	if (!strcmp(fv[0], "rerr")) {
		struct as_rerr *nr, *r;
		uint8_t key[WG_KEY_LEN];
		if (nf != 5 || wj_jail_name_invalid(fv[1]) || !key_from_base64(key, fv[2]))
			return wj_errf(e, "%s:%u: a malformed resolution error record", path, ln);
		if (!(nr = realloc(s->rerrs, (s->n_rerrs + 1) * sizeof(*nr))))
			return wj_errnof(e, ENOMEM, "%s", path);
		s->rerrs = nr;
		r = &s->rerrs[s->n_rerrs];
		memset(r, 0, sizeof(*r));
		snprintf(r->jail, sizeof(r->jail), "%s", fv[1]);
		memcpy(r->key, key, WG_KEY_LEN);
		if (!(r->endpoint = strdup(fv[3])) || !(r->error = strdup(fv[4]))) {
			free(r->endpoint);
			return wj_errnof(e, ENOMEM, "%s", path);
		}
		s->n_rerrs++;
		return 0;
	}
	return wj_errf(e, "%s:%u: unknown record '%s'", path, ln, wj_quote(fv[0], q, sizeof(q)));
}

int agentstate_parse(const char *path, const char *text, size_t len, struct agent_state *s, struct wj_err *e)
{
	char *copy, *line, *next;
	unsigned ln = 1;
	int r = 0;

	memset(s, 0, sizeof(*s));
	if (memchr(text, '\0', len))
		return wj_errf(e, "%s: holds a NUL byte", path);
	if (len < sizeof(AS_MAGIC) || memcmp(text, AS_MAGIC "\n", sizeof(AS_MAGIC)))
		return wj_errf(e, "%s:1: not a wgjail agent state of version 1", path);
	if (!(copy = malloc(len + 1)))
		return wj_errnof(e, ENOMEM, "%s", path);
	memcpy(copy, text, len);
	copy[len] = '\0';
	for (line = copy + sizeof(AS_MAGIC); *line && r == 0; line = next) {
		char *nl = strchr(line, '\n');
		ln++;
		if (!nl) {
			r = wj_errf(e, "%s:%u: the last line is cut", path, ln);
			break;
		}
		*nl = '\0';
		next = nl + 1;
		r = parse_line(path, ln, line, s, e);
	}
	free(copy);
	if (r < 0)
		agentstate_free(s);
	return r;
}

int agentstate_load(struct agent_state *s, struct wj_err *e)
{
	char path[4096], *text = NULL;
	size_t len = 0;
	struct wj_err re;
	int r;

	memset(s, 0, sizeof(*s));
	if (agentstate_path(path, sizeof(path)) < 0)
		return wj_errf(e, "run directory path too long");
	wj_err_clear(&re);
	if (wj_read_file(path, AS_MAX, false, &text, &len, &re) < 0) {
		if (re.code == ENOENT)
			return 0;
		*e = re;
		return -1;
	}
	r = agentstate_parse(path, text, len, s, e);
	wj_free_file(text, len, false);
	if (r < 0)
		return -1;
	if (!s->pid || (kill((pid_t)s->pid, 0) < 0 && errno == ESRCH)) {
		agentstate_free(s); /* left by an agent that is gone */
		return 0;
	}
	return 1;
}

void agentstate_free(struct agent_state *s)
{
	for (size_t i = 0; i < s->n_rerrs; i++) {
		free(s->rerrs[i].endpoint);
		free(s->rerrs[i].error);
	}
	free(s->rerrs);
	free(s->jails);
	memset(s, 0, sizeof(*s));
}

const struct as_jail *agentstate_jail(const struct agent_state *s, const char *name)
{
	for (size_t i = 0; i < s->n_jails; i++)
		if (!strcmp(s->jails[i].name, name))
			return &s->jails[i];
	return NULL;
}
