/* Never lose a jail's key (see agent/keyguard.h). */
#include "agent/keyguard.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "agent/jailstate.h"
#include "agent/platform.h"
#include "util/err.h"
#include "util/fsutil.h"
#include "util/paths.h"
#include "util/safefile.h"
#include "wg/conf_edit.h"
#include "wg/model.h"

#define MARK ".pubkey"

int keyguard_recorded(const char *name, uint8_t pub[WG_KEY_LEN])
{
	char path[PATH_MAX], *text = NULL;
	size_t len = 0;
	struct wj_err ignored;
	int r = 0;

	if (jail_path(path, sizeof(path), name, MARK) < 0 ||
	    wj_read_conf(path, 256, false, &text, &len, &ignored) < 0)
		return 0;
	while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		text[--len] = '\0';
	/* A record that does not decode still says "this jail had a key". */
	if (!key_from_base64(pub, text))
		memset(pub, 0, WG_KEY_LEN);
	r = 1;
	wj_free_file(text, len, false);
	return r;
}

int keyguard_record(const char *name, const uint8_t pub[WG_KEY_LEN], struct wj_err *e)
{
	char path[PATH_MAX], line[WG_KEY_B64_LEN + 2];

	if (jail_path(path, sizeof(path), name, MARK) < 0)
		return wj_errf(e, "%s: configuration directory path too long", wj_confdir());
	key_to_base64(line, pub);
	strcat(line, "\n");
	return wj_write_atomic(path, line, strlen(line), 0644, e);
}

void keyguard_note(const char *name, const struct wg_device *dev)
{
	uint8_t have[WG_KEY_LEN];
	struct wj_err ignored;

	if (!dev || !(dev->flags & WGDEV_HAS_PRIVATE_KEY) || key_is_zero(dev->public_key) ||
	    keyguard_recorded(name, have))
		return;
	keyguard_record(name, dev->public_key, &ignored);
}

struct find {
	unsigned line, header;
};

static int find_fn(void *arg, const char *section, const char *key, const char *value, unsigned line)
{
	struct find *f = arg;

	(void)value;
	if (!key) {
		if (!f->header && !strcmp(section, "interface"))
			f->header = line;
		return 0;
	}
	if (!strcmp(section, "interface") && !strcasecmp(key, "PrivateKey") && !f->line)
		f->line = line;
	return 0;
}

int keyguard_first_key(const char *name, const char *path, const char *text, size_t len, bool exists,
		       struct wj_err *e)
{
	uint8_t pub[WG_KEY_LEN];
	char where[PATH_MAX + 80], why[200], mark[PATH_MAX];
	bool running = exists && jail_is_running(name), had = keyguard_recorded(name, pub) == 1;
	struct find f = {0, 0};

	if (!running && !had)
		return 0;
	if (!text) {
		snprintf(where, sizeof(where), "%s: missing", path);
	} else {
		conf_scan(text, len, find_fn, &f, NULL, NULL);
		if (f.line)
			snprintf(where, sizeof(where), "%s:%u: PrivateKey has no key (empty or 'generate')", path, f.line);
		else
			snprintf(where, sizeof(where), "%s:%u: no PrivateKey in [Interface]", path, f.header ? f.header : 1);
	}
	if (running) {
		snprintf(why, sizeof(why), "jail %s is running, and its interface keeps the key it has", name);
	} else {
		char b64[WG_KEY_B64_LEN + 1];
		key_to_base64(b64, pub);
		snprintf(why, sizeof(why), "jail %s had the key whose public key is %s", name,
			 key_is_zero(pub) ? "recorded" : b64);
	}
	jail_path(mark, sizeof(mark), name, MARK);
	return wj_errf(e,
		       "%s: no new key is made: %s; put the jail's PrivateKey back (to start over with a new key, "
		       "take the jail down and remove %s)",
		       where, why, mark);
}

bool jail_is_running(const char *name)
{
	struct jail_state st;
	struct wj_err ignored;

	return wj_platform()->is_up(name) || jailstate_load(name, &st, &ignored) != 0;
}
