#include "keys/keyfile.h"
#include "util/err.h"
#include "util/fsutil.h"
#include "util/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <string.h>
#include <unistd.h>

static bool is_space_or_nul(int c)
{
	return c == 0 || wj_isspace(c);
}

int keyfile_read(const char *path, uint8_t key[WG_KEY_LEN], struct wj_err *e)
{
	char *buf = NULL;
	size_t len = 0;
	int fd, r = -1;

	sodium_memzero(key, WG_KEY_LEN);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return wj_errnof(e, errno, "%s", path);
	if (wj_check_private(fd, path, e) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	if (wj_read_file(path, 4096, true, &buf, &len, e) < 0)
		return -1;
	if (len < WG_KEY_B64_LEN) {
		wj_errf(e, "%s: not a key (expected 44 base64 characters, found %zu bytes)", path, len);
		goto out;
	}
	for (size_t i = WG_KEY_B64_LEN; i < len; i++) {
		if (!is_space_or_nul((unsigned char)buf[i])) {
			wj_errf(e, "%s: trailing characters after the key (at byte %zu)", path, i + 1);
			goto out;
		}
	}
	if (!key_from_base64_n(key, buf, WG_KEY_B64_LEN)) {
		wj_errf(e, "%s: the key is not the correct length or format (44 base64 characters ending in '=')",
			path);
		goto out;
	}
	r = 0;
out:
	wj_free_file(buf, len, true);
	return r;
}

int key_read_stream(FILE *f, const char *name, uint8_t key[WG_KEY_LEN], struct wj_err *e)
{
	char b64[WG_KEY_B64_LEN + 1];
	size_t n;
	int c, r = -1;

	sodium_memzero(key, WG_KEY_LEN);
	n = fread(b64, 1, WG_KEY_B64_LEN, f);
	if (n != WG_KEY_B64_LEN) {
		wj_errf(e, "%s: key is not the correct length or format (read %zu of 44 characters)", name, n);
		goto out;
	}
	while ((c = getc(f)) != EOF) {
		if (!is_space_or_nul(c)) {
			wj_errf(e, "%s: trailing characters found after key", name);
			goto out;
		}
	}
	if (!key_from_base64_n(key, b64, WG_KEY_B64_LEN)) {
		wj_errf(e, "%s: key is not the correct length or format", name);
		goto out;
	}
	r = 0;
out:
	sodium_memzero(b64, sizeof(b64));
	return r;
}
