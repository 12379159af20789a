/* jail(8) as `up`, `down` and `boot` call it on FreeBSD: the argument
 * vector and the run.  Platform-neutral (tested on Linux with a stand-in
 * program); only agent/platform_freebsd.c calls it.
 *
 *   create  jail -f HOSTROOT/etc/jail.conf.d/NAME.conf -c NAME
 *   remove  jail -f HOSTROOT/etc/jail.conf.d/NAME.conf -r NAME
 *
 * -f: jail(8) itself reads only /etc/jail.conf; the files in
 * /etc/jail.conf.d are read by rc.d/jail.  With the jail's own file,
 * `-r` runs its exec.stop and exec.poststop (which destroy the uplink). */
#ifndef WGJAIL_JAILCMD_H
#define WGJAIL_JAILCMD_H

#include <stddef.h>
#include <stdio.h>

struct wj_err;

enum jail_cmd_op { JAIL_CMD_CREATE, JAIL_CMD_REMOVE };

/* The jail(8) program: $WGJAIL_JAIL_PROGRAM if set (tests), else
 * /usr/sbin/jail. */
const char *jail_cmd_program(void);
/* HOSTROOT/etc/jail.conf.d/NAME.conf into BUF ("" HOSTROOT: the host's). */
int jail_conf_d_path(const char *hostroot, const char *name, char *buf, size_t sz, struct wj_err *e);
/* ARGV (6 entries, NULL-terminated) for OP on NAME with its file CONF
 * (pointers into CONF and NAME; NAME validated).  0 or -1 with E set. */
int jail_cmd_argv(enum jail_cmd_op op, const char *name, const char *conf, const char *argv[6],
		  struct wj_err *e);
/* Run jail(8) for OP on NAME (its file under HOSTROOT) and wait; its output
 * (stdout and stderr) is copied to OUT (NULL: dropped).  0, or -1 with E
 * set, naming the command, its exit status and its last line of output. */
int jail_cmd_run(enum jail_cmd_op op, const char *hostroot, const char *name, FILE *out, struct wj_err *e);

/* `boot`'s start of jail NAME, which does not run: one owner per jail at
 * boot.  rc.d/wgjail runs before rc.d/jail; when HOSTROOT/etc/rc.conf
 * makes rc.d/jail start NAME (jail_enable yes, and NAME in jail_list, or
 * jail_list empty and jail.conf including NAME's file:
 * rc_host_starts_jail, rc/gen.h), it is left to rc.d/jail (a line on OUT,
 * may be NULL): 1.  Otherwise jail(8) creates it: 0.  -1 with E set (an
 * rc.conf or jail.conf that cannot be read, or jail(8) failed). */
int jail_boot_start(const char *hostroot, const char *name, FILE *out, struct wj_err *e);

#endif
