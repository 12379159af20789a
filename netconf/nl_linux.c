#include "netconf/nl.h"
#include "util/err.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int nl_open(struct nl_sock *s, int bus, struct wj_err *e)
{
	memset(s, 0, sizeof(*s));
	s->buf = malloc(NL_BUFSZ);
	if (!s->buf)
		return wj_errnof(e, ENOMEM, "netlink");
	s->mnl = mnl_socket_open(bus);
	if (!s->mnl) {
		int saved = errno;
		free(s->buf);
		s->buf = NULL;
		return wj_errnof(e, saved, "cannot open a netlink socket");
	}
	if (mnl_socket_bind(s->mnl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int saved = errno;
		nl_close(s);
		return wj_errnof(e, saved, "cannot bind a netlink socket");
	}
	s->portid = mnl_socket_get_portid(s->mnl);
	s->seq = (uint32_t)time(NULL);
	return 0;
}

void nl_close(struct nl_sock *s)
{
	if (s->mnl)
		mnl_socket_close(s->mnl);
	free(s->buf);
	memset(s, 0, sizeof(*s));
}

struct nlmsghdr *nl_msg_z(struct nl_sock *s, void *buf, size_t bufsz, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh;

	memset(buf, 0, bufsz);
	nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | flags);
	nlh->nlmsg_seq = ++s->seq;
	return nlh;
}

struct talk {
	mnl_cb_t cb;
	void *data;
	int intr;
};

static int data_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct talk *t = arg;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		t->intr = 1;
	return t->cb ? t->cb(nlh, t->data) : MNL_CB_OK;
}

int nl_talk(struct nl_sock *s, struct nlmsghdr *nlh, mnl_cb_t cb, void *data, const char *what,
	    struct wj_err *e)
{
	struct talk t = {cb, data, 0};
	uint32_t seq = nlh->nlmsg_seq;
	int r;

	if (mnl_socket_sendto(s->mnl, nlh, nlh->nlmsg_len) < 0) {
		int saved = errno;
		wj_errnof(e, saved, "%s: netlink send", what);
		return -saved;
	}
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(s->mnl, s->buf, NL_BUFSZ);
		if (n < 0) {
			int saved = errno;
			if (saved == EINTR)
				continue;
			wj_errnof(e, saved, "%s: netlink receive", what);
			return -saved;
		}
		/* mnl_cb_run checks sequence and port, stops on ACK/DONE, and
		 * turns NLMSG_ERROR into errno. */
		r = mnl_cb_run(s->buf, (size_t)n, seq, s->portid, data_cb, &t);
		if (r == MNL_CB_ERROR) {
			int saved = errno ? errno : EPROTO;
			if (t.intr)
				saved = EINTR;
			wj_errnof(e, saved, "%s", what);
			return -saved;
		}
		if (r == MNL_CB_STOP)
			break;
	}
	if (t.intr) {
		wj_errf(e, "%s: the dump was interrupted by a concurrent change", what);
		return -EINTR;
	}
	return 0;
}

struct attr_table {
	const struct nlattr **tb;
	uint16_t max;
};

static int attr_table_cb(const struct nlattr *a, void *data)
{
	const struct attr_table *t = data;

	if (mnl_attr_type_valid(a, t->max) >= 0)
		t->tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

void nl_attrs(const struct nlmsghdr *nlh, size_t off, const struct nlattr **tb, uint16_t max)
{
	struct attr_table t = {tb, max};

	mnl_attr_parse(nlh, (unsigned)off, attr_table_cb, &t);
}

void nl_attrs_nested(const struct nlattr *nest, const struct nlattr **tb, uint16_t max)
{
	struct attr_table t = {tb, max};

	mnl_attr_parse_nested(nest, attr_table_cb, &t);
}
