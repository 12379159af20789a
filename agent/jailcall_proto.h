/* Between jail_call (agent/jailcall.c) and the process it starts to enter
 * a jail, `wgjail _jailcall` (agent/jailcall_child.c): both are the same
 * executable (agent/selfexe.h), so the status is a fixed struct.
 *
 * Descriptors of the process: 0 the request (a stream socket: the caller
 * writes it whole, then closes its end), 1 the reply (a pipe: GET's device
 * as a UAPI GET reply: a userspace daemon's own, passed through once
 * checked for size and shape, wg/uapi_frame.h, or a kernel's device
 * written in that form, wg/uapi_write.h; the caller decodes it once, with
 * the fuzzed decoder; SYNC's report lines; nothing for SET), 2 the
 * caller's standard error, 3 the status (a pipe: one struct jc_status,
 * written once at the end); nothing else.
 *
 * The request: header lines, an empty line, then for SET and SYNC the
 * device in the UAPI set form (wg/uapi_write.h, WG_UAPI_SET_REQUEST):
 *
 *   op=get|set|sync
 *   jail=NAME
 *   interface=IFNAME        (the interface's name inside the jail)
 *   dry_run=true|false      (sync)
 *   report=true|false       (sync: report lines wanted on descriptor 1)
 *
 * SET's device is the change set (only what its flags say is sent); SYNC's
 * is the desired device (endpoints resolved by the caller where they
 * could be; a host name left is skipped by the engine, never resolved
 * inside the jail). */
#ifndef WGJAIL_JAILCALL_PROTO_H
#define WGJAIL_JAILCALL_PROTO_H

#include <stdbool.h>
#include <stdint.h>

#include "agent/jailcall.h"
#include "util/err.h"
#include "util/strutil.h"

#define JC_FD_REQUEST 0
#define JC_FD_REPLY 1
#define JC_FD_STATUS 3
#define JC_HEADER_MAX 512

enum jc_op { JC_GET, JC_SET, JC_SYNC };

struct jc_header {
	enum jc_op op;
	char jail[WJ_JAIL_NAME_MAX + 1];
	char ifname[WJ_IFNAME_MAX + 1];
	bool dry_run, report;
};

/* What the process says at the end: fixed size, below PIPE_BUF (one
 * write).  R is the operation's result (-1: CODE and MSG say why); RET
 * its small result (SYNC: struct wg_sync_result). */
struct jc_status {
	int32_t r;
	int32_t code;
	char msg[WJ_ERR_MAX];
	unsigned char ret[JAIL_CALL_RET_MAX];
};

/* The process's work once its descriptors are in place (above): read the
 * request, enter, run, reply, then _exit.  `wgjail _jailcall` after its
 * checks; the child jail_call_prefork forks. */
_Noreturn void jail_call_serve(void);

/* H as header text into BUF: its length, or -1 if it does not fit. */
int jc_header_format(const struct jc_header *h, char *buf, size_t sz);
/* Header text TEXT (the lines without the empty one) into *H: 0, or -1
 * with E set (an unknown or repeated key, a bad value, a missing one). */
int jc_header_parse(const char *text, struct jc_header *h, struct wj_err *e);

#endif
