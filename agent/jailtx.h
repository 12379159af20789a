/* One transaction for a jail's files: every command that changes a jail's
 * WireGuard configuration (`peer add/remove`, `rotate`, `rotate --peer`,
 * `export --generate-remote-key`, `create`, boot's first key) is an
 * operation run by jailtx_run, which does the same steps for all:
 *
 *   open     the spec read, the jail's lock taken (agent/jaillock.h: a
 *            change a killed command left half made is finished or undone
 *            first, killed writers' temporary files swept), the spec read
 *            again under the lock;
 *   edit     the operation reads what it needs (the main file, a peer's
 *            drop-in, the allowed-IP index), checks its request against
 *            it, edits the text (wg/conf_edit.h: comments and hand edits
 *            kept) and re-parses what would be written with the real
 *            parser, checking that it says exactly what was meant; it
 *            names the change to make live (a change set) and the peer
 *            whose secret the command hands over, if any;
 *   hand over  the command's hook prints that secret and checks that its
 *            output took it; a failure cancels everything (nothing was
 *            written);
 *   commit   the files written, each atomically; a change of several
 *            files journalled (below) so that a kill leaves the old state
 *            or the new one;
 *   apply    the change set sent to the running jail's interface, through
 *            jailtx_apply: the one place where a jail's files reach the
 *            running jail;
 *   report   what was written, and whether it is live.
 *
 * A new operation (issue 18: names, expiry, disable) is one more struct
 * jailtx_op with its edit and commit; the protocol stays here. */
#ifndef WGJAIL_JAILTX_H
#define WGJAIL_JAILTX_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "agent/jailspec.h"
#include "keys/keys.h"
#include "wg/conf_edit.h"
#include "wg/model.h"

struct wj_err;

/* What a transaction did, for the command to report. */
struct jailtx_report {
	bool written;                    /* the change is in the configuration */
	bool live;                       /* and on the running interface */
	char ifname[WJ_IFNAME_MAX + 1];  /* the jail's WireGuard interface */
	char path[PATH_MAX];             /* the file written (or read) */
};

/* The command's hand-over of a secret, called after the edit was checked
 * and before anything is written: it prints the secret of peer P (as it
 * will be written) and checks its output (cmd_output_done).  A failure
 * cancels the change, so a secret printed nowhere is never the only copy
 * of a key. */
struct jailtx_hook {
	int (*fn)(void *arg, const struct wg_peer *p, struct wj_err *e);
	void *arg;
};

/* One transaction on jail NAME's files. */
struct jailtx {
	const char *name;
	struct jail_spec spec;           /* read under the lock */
	bool is_new;                     /* JAILTX_NEW and no spec yet: SPEC holds the defaults */
	int lockfd;
	char main_path[PATH_MAX];        /* CONFDIR/NAME/IF.conf */
	char dir[PATH_MAX];              /* CONFDIR/NAME/IF.peers */
	/* The file the operation read (jailtx_read_*): PATH, a drop-in when
	 * DROPIN; TEXT is secret memory (mapped when ROOM > 0); ST is its
	 * fstat at the read. */
	char path[PATH_MAX];
	bool dropin;
	uint8_t dropin_key[WG_KEY_LEN];  /* the peer whose drop-in PATH is */
	char *text;
	size_t len, room;
	struct stat st;
	struct wg_device *dev;           /* TEXT parsed (JAILTX_PARSE) */
	struct conf_doc doc;             /* TEXT as lines (JAILTX_PARSE) */
	bool doc_loaded;
	/* The edit: NEW_TEXT for PATH, AFTER its parse (jailtx_render). */
	char *new_text;
	size_t new_len;
	struct wg_device *after;
	/* Set by the operation: the change to apply live (freed by the
	 * transaction), the peer whose secret is handed over. */
	struct wg_device *changes;
	const struct wg_peer *handover;
	bool written;
};

struct jailtx_op {
	const char *name;                /* "peer add", for messages */
	/* JAILTX_NEW: the jail need not exist yet (create): its directory is
	 * made (0700, in a trusted configuration directory) and a missing
	 * spec reads as the defaults.  JAILTX_DRY: nothing is written, lock
	 * files included: no lock, no hand-over, commit or apply. */
	unsigned flags;
	/* Read, check, edit, re-parse; no write (see above). */
	int (*edit)(struct jailtx *t, void *req, struct wj_err *e);
	/* Write (NULL: jailtx_write, the edited file replaced atomically). */
	int (*commit)(struct jailtx *t, void *req, struct wj_err *e);
};

#define JAILTX_NEW 1u
#define JAILTX_DRY 2u

/* Run OP with REQ on jail NAME (the steps above).  HOOK may be NULL.
 * OUT is filled in every case. */
int jailtx_run(const char *name, const struct jailtx_op *op, void *req, const struct jailtx_hook *hook,
	       struct jailtx_report *out, struct wj_err *e);

/* The open and close steps alone, for readers (`peer list`, `export`)
 * and for operations that drive the steps themselves. */
int jailtx_open(struct jailtx *t, const char *name, unsigned flags, struct wj_err *e);
void jailtx_close(struct jailtx *t);

/* ---- for the operations' edit and commit ---- */

/* The allowed-IP index of the drop-ins brought up to date (agent/aipidx.h). */
int jailtx_index(struct jailtx *t, struct wj_err *e);
/* Read the main file, or (KEY not NULL) the drop-in of peer KEY if it has
 * one, else the main file.  JAILTX_MAPPED reads the main file into a
 * mapping without a copy (big files); JAILTX_PARSE parses it with the real
 * parser and splits it into lines for editing. */
#define JAILTX_MAPPED 1u
#define JAILTX_PARSE 2u
int jailtx_read(struct jailtx *t, const uint8_t *key, unsigned flags, struct wj_err *e);
/* Parse what was read (if not done yet) and split it into lines. */
int jailtx_parse(struct jailtx *t, struct wj_err *e);
/* Is the main file as read the one wgjail wrote or parsed last (its
 * stamp, see jailtx.c), so that it need not be parsed again?  And record
 * that it parsed. */
bool jailtx_main_known(const struct jailtx *t);
void jailtx_main_parsed(const struct jailtx *t);
/* The edited lines as NEW_TEXT, parsed into AFTER by the real parser. */
int jailtx_render(struct jailtx *t, struct wj_err *e);
/* A change set to fill: T->changes, made on first use. */
struct wg_device *jailtx_changes(struct jailtx *t, struct wj_err *e);
/* Replace PATH by NEW_TEXT atomically (0600) and record it as known
 * (the main file's stamp, or the index's). */
int jailtx_write(struct jailtx *t, struct wj_err *e);
/* Send T->changes to the jail's interface if the jail is running (the one
 * place where a jail's files reach the running jail: jailtx_follow).
 * *LIVE set if it did. */
int jailtx_apply(struct jailtx *t, bool *live, struct wj_err *e);

struct wj_platform;
/* Make jail S's running parts follow what its files say now: when
 * FILES_CHANGED, the jail's own copies of them brought in step (PL's
 * keep_files: FreeBSD's ROOT/etc/IF.conf, which its rc applies at every
 * start), running or not; then CHANGES (NULL: none) sent to its interface
 * when it runs (*LIVE set).  WHAT says what happened, for the messages
 * ("PATH saved").  Used by jailtx_apply and by the agent's expiry
 * (agent/expiry.h), whose files do not change but say less than before. */
int jailtx_follow(const struct wj_platform *pl, const struct jail_spec *s, bool files_changed,
		  struct wg_device *changes, const char *what, bool *live, struct wj_err *e);

/* ---- journalled changes of several files (agent/jailtx_journal.c) ----
 *
 * Each is journalled in the jail's directory: everything the new state
 * needs is staged first, then a journal is written (atomically: that
 * write is the commit), then the files are changed, then the journal is
 * removed.  Under the jail's lock (agent/jaillock.h), a journal left by a
 * killed command is played to its end, and staged files without a journal
 * are removed.  Every reader and writer of a jail's files holds that lock,
 * so none ever sees a change half made.
 *
 *   create   CONFDIR/NAME/.create, staged main file CONFDIR/NAME/.create.conf:
 *            the new spec, a new main file (a new ListenPort, a first key),
 *            the interface renamed (OLD.conf -> NEW.conf, OLD.peers/ ->
 *            NEW.peers/, OLD's stamp removed), the key record
 *            (agent/keyguard.h).
 *   replace  CONFDIR/NAME/.replace: a peer's drop-in written under its new
 *            key's name, then the old one removed (export
 *            --generate-remote-key): once the new drop-in is there, the old
 *            one goes, so a peer never appears twice. */

struct jailtx_create {
	const char *old_if, *new_if; /* equal unless the interface is renamed */
	const char *spec;            /* the new spec text (NULL: unchanged) */
	const char *conf;            /* the new main file (NULL: the old one, renamed if need be) */
	size_t conf_len;
	const uint8_t *pub;          /* the key to record (NULL: none) */
};

/* Make the change T to jail NAME.  The caller holds the jail's lock and
 * checked that the change can succeed (NEW.conf and NEW.peers absent when
 * renaming). */
int jailtx_create(const char *name, const struct jailtx_create *t, struct wj_err *e);

/* Around the replacement of drop-in OLD of interface IFNAME by drop-in NEW
 * (the caller writes NEW, then removes OLD). */
int jailtx_replace_begin(const char *name, const char *ifname, const uint8_t old[WG_KEY_LEN],
			 const uint8_t new_key[WG_KEY_LEN], struct wj_err *e);
int jailtx_replace_end(const char *name, struct wj_err *e);

/* Finish or undo what a killed command left (under the jail's lock). */
int jailtx_recover(const char *name, struct wj_err *e);

#endif
