/* Interface names that would make wgjail overwrite a file that is not its
 * own (see agent/ifreserved.h).
 *
 * The interface's WireGuard configuration is CONFDIR/JAIL/IF.conf and,
 * after `provision`, ROOT/etc/IF.conf in the jail: an interface called
 * "jail" would be the spec itself, one called "rc" the jail's rc.conf.
 * The names below are those whose IF.conf is a file of wgjail's jail
 * directory or of the FreeBSD base system's /etc (provision also refuses
 * to replace any other /etc/IF.conf that is not a WireGuard
 * configuration: rc/plan.h). */
#include "agent/ifreserved.h"

#include <stdlib.h>
#include <string.h>

static const char *const reserved[] = {
	/* CONFDIR/JAIL/ */
	"jail",
	/* FreeBSD /etc/NAME.conf */
	"apmd", "auth", "blacklistd", "ddb", "devd", "devfs", "dhclient", "dhcpcd", "dma", "freebsd-update",
	"hostapd", "inetd", "ipf", "ipfw", "ipnat", "kldxref", "krb5", "libalias", "libmap", "login", "mac",
	"make", "newsyslog", "nscd", "nsmb", "nsswitch", "ntp", "pf", "periodic", "pkg", "portsnap", "rc",
	"resolv", "resolvconf", "rtadvd", "rtsold", "snmpd", "src", "src-env", "sysctl", "syslog", "unbound",
	"wpa_supplicant",
	NULL,
};

const char *jail_ifname_reserved(const char *ifname)
{
	for (const char *const *r = reserved; *r; r++)
		if (!strcmp(*r, ifname))
			return !strcmp(ifname, "jail")
				       ? "reserved: its file IF.conf would be the jail's spec jail.conf"
				       : "reserved: its file /etc/IF.conf in the jail would overwrite a system file "
					 "(see wgjail.conf(5))";
	return NULL;
}
