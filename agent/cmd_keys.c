/* wgjail genkey | genpsk | pubkey: byte-for-byte compatible with wg(8). */
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/commands.h"
#include "util/err.h"
#include "keys/keyfile.h"
#include "keys/keys.h"

/* Commands without options accept only -h. */
static int no_args(int argc, char **argv)
{
	static const struct option longopts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	int st;

	if (cmd_getopt(argv[0], argc, argv, "h", longopts, &st) == CMD_OPT_EXIT)
		return st; /* -h is the only option */
	if ((st = cmd_operands(argv[0], argc, argv, 0, 0, "")) != WJ_EXIT_OK)
		return st;
	return -1;
}

/* As wg(8): a key about to land in a regular file that others can read
 * deserves a warning (the key is still written). */
static void warn_world_accessible_stdout(void)
{
	struct stat st;

	if (fstat(STDOUT_FILENO, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & S_IRWXO))
		fputs("Warning: writing to world accessible file.\n"
		      "Consider setting the umask to 077 and trying again.\n",
		      stderr);
}

static int print_key(const uint8_t key[WG_KEY_LEN])
{
	char b64[WG_KEY_B64_LEN + 1];
	int r;

	key_to_base64(b64, key);
	r = printf("%s\n", b64) < 0 || fflush(stdout) != 0 ? WJ_EXIT_FAIL : WJ_EXIT_OK;
	sodium_memzero(b64, sizeof(b64));
	if (r)
		perror("wgjail: writing to stdout");
	return r;
}

static int gen(int argc, char **argv, bool clamp)
{
	uint8_t key[WG_KEY_LEN];
	int r = no_args(argc, argv);

	if (r >= 0)
		return r;
	warn_world_accessible_stdout();
	if (clamp)
		key_generate_private(key);
	else
		key_generate_psk(key);
	r = print_key(key);
	sodium_memzero(key, sizeof(key));
	return r;
}

int cmd_genkey(int argc, char **argv)
{
	return gen(argc, argv, true);
}

int cmd_genpsk(int argc, char **argv)
{
	return gen(argc, argv, false);
}

int cmd_pubkey(int argc, char **argv)
{
	uint8_t priv[WG_KEY_LEN], pub[WG_KEY_LEN];
	struct wj_err e = {0};
	int r = no_args(argc, argv);

	if (r >= 0)
		return r;
	if (key_read_stream(stdin, "stdin", priv, &e) < 0)
		return cmd_fail(&e);
	if (key_public_from_private(pub, priv) < 0) {
		sodium_memzero(priv, sizeof(priv));
		fputs("wgjail: stdin: this private key has no usable public key\n", stderr);
		return WJ_EXIT_FAIL;
	}
	sodium_memzero(priv, sizeof(priv));
	return print_key(pub);
}
