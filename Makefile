# wgjail — build, test, install.  `make help` lists the targets.
#
# Variables (override on the command line):
#   PREFIX   install prefix            (/usr/local)
#   DESTDIR  staging root for packages ()
#   BINDIR   binaries                  ($(PREFIX)/sbin)
#   MANDIR   manual pages              ($(PREFIX)/share/man, on FreeBSD too, as
#            its ports install them since 2024)
#   RCDIR    FreeBSD rc.d scripts      ($(PREFIX)/etc/rc.d; empty: none, as the
#            port does, whose USE_RC_SUBR installs it)
#   UNITDIR  systemd units             (/lib/systemd/system)
#   V=1      show the commands being run
#   CC, CFLAGS, LDFLAGS as usual.
#   FREEBSD_KIT  the FreeBSD test kit (../shared/freebsd): libnv for the
#            tests of the if_wg nvlist code; absent, those are skipped
#
# GNU make.  On FreeBSD, `make` reads BSDmakefile, which hands over to gmake.

# UNAME_S picks the install layout (override it to stage a FreeBSD tree);
# the sources compiled always follow the system that builds.
UNAME_S ?= $(shell uname -s)
BUILD_OS := $(shell uname -s)
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/sbin
MANDIR  ?= $(PREFIX)/share/man
RCDIR   ?= $(PREFIX)/etc/rc.d
VERSION := 0.1.0
PORTDIR := dist/freebsd/sysutils/wgjail
UNITDIR ?= /lib/systemd/system

# Libraries per platform.  FreeBSD: libsodium from packages under
# /usr/local (pkg-config when it knows it, else the plain paths), libnv
# and libjail from base, never libmnl; libpthread for the agent's resolver
# process (agent/resolver_child.c).  (INI files are read by util/ini.c;
# libinih is only the oracle of a unit test.)
# PKGS: every package the program uses.  PKGS_LOADED: those of them it
# loads when first used (util/dynlib.h), so only their headers are
# needed to build: libqrencode and libpng (util/qr_lib.c), and on Linux
# libnftables (netconf/nft_linux.c).
PKGS_LOADED := libqrencode libpng
ifeq ($(BUILD_OS),FreeBSD)
PKGS    := libsodium $(PKGS_LOADED)
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null || echo -I/usr/local/include)
PKG_LIBS   := $(shell pkg-config --libs libsodium 2>/dev/null || echo -L/usr/local/lib -lsodium) -lnv -ljail -lpthread
else
PKGS    := libsodium libmnl $(PKGS_LOADED)
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) libnftables 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs libsodium libmnl 2>/dev/null) -ldl -lpthread
endif
CC      ?= cc
CFLAGS  ?= -O2 -g
WFLAGS  := -std=c11 -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral
CPPFLAGS += -D_GNU_SOURCE -I. $(PKG_CFLAGS)
LDLIBS  += $(PKG_LIBS)

ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-6s %s\n' $(1) $(2)
endif

# Every .c under the module directories is part of the library, except the
# program entry point and the code that compiles only on the other platform.
ifeq ($(BUILD_OS),FreeBSD)
PLATFORM_EXCLUDE := %_linux.c
PLATFORM_DEF := -D__FreeBSD__
else
PLATFORM_EXCLUDE := %_freebsd.c
PLATFORM_DEF := -D__linux__
endif
LIB_SRCS := $(filter-out agent/main.c $(PLATFORM_EXCLUDE), \
              $(wildcard agent/*.c util/*.c wg/*.c keys/*.c netconf/*.c rc/*.c))
MAIN_SRC := agent/main.c

BUILD   := build
OBJ     := $(BUILD)/obj
SAN     := $(BUILD)/san
LIB_OBJS      := $(LIB_SRCS:%.c=$(OBJ)/%.o)
LIB_SAN_OBJS  := $(LIB_SRCS:%.c=$(SAN)/%.o)
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all -O1 -g

# Tests named *_freebsd.c need FreeBSD's code from the test kit (libnv);
# they are built only when the kit is there (tests/run.sh skips them,
# loudly, when it is not).
UNIT_SRCS  := $(filter-out %_freebsd.c, $(wildcard tests/unit/test_*.c))
UNIT_BINS  := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/unit/%)
UNIT_HELPERS := $(filter-out $(wildcard tests/unit/test_*.c), $(wildcard tests/unit/*.c))
FUZZ_SRCS  := $(filter-out %_freebsd.c, $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS  := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz/%)

.PHONY: all deps check unit fuzz-build nv-bins test demo install uninstall clean help lint bench print-srcs print-wflags print-pkgs port-files dist linux-only
all: wgjail

wgjail: $(LIB_OBJS) $(OBJ)/$(MAIN_SRC:.c=.o)
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The sanitizer build of the program, used by the integration suites.
$(BUILD)/wgjail-san: $(LIB_SAN_OBJS) $(SAN)/$(MAIN_SRC:.c=.o)
	$(call msg,LD,$@)
	$(Q)$(CC) $(SANFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(OBJ)/%.o: %.c
	$(call msg,CC,$<)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(WFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(SAN)/%.o: %.c
	$(call msg,CC-SAN,$<)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(WFLAGS) $(SANFLAGS) -MMD -MP -c -o $@ $<

# Unit tests: one cmocka binary per tests/unit/test_*.c, always sanitized.
$(BUILD)/unit/%: tests/unit/%.c $(LIB_SAN_OBJS) $(UNIT_HELPERS)
	$(call msg,TEST,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(WFLAGS) -Wno-unused-parameter $(SANFLAGS) -o $@ $< $(UNIT_HELPERS) $(LIB_SAN_OBJS) $(LDLIBS) $(shell pkg-config --libs cmocka)

# util/ini.c against Debian's libinih (tests/unit/test_ini_oracle.c).
$(BUILD)/unit/test_ini_oracle: LDLIBS += $(shell pkg-config --libs inih)

# libFuzzer targets (clang).  The library is compiled once with coverage
# instrumentation (fuzzer-no-link) and linked into every target.
FUZZ_CC ?= clang
FUZZ_DIR := $(BUILD)/fuzzobj
FUZZFLAGS := -std=c11 -g -O1 -fsanitize=address,undefined
LIB_FUZZ_OBJS := $(LIB_SRCS:%.c=$(FUZZ_DIR)/%.o)
.SECONDARY: $(LIB_FUZZ_OBJS)
$(FUZZ_DIR)/%.o: %.c
	$(call msg,CC-FUZZ,$<)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(CPPFLAGS) $(FUZZFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<
$(BUILD)/fuzz/%: tests/fuzz/%.c $(LIB_FUZZ_OBJS)
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(CPPFLAGS) $(FUZZFLAGS) -fsanitize=fuzzer -MMD -MP -o $@ $< $(LIB_FUZZ_OBJS) $(LDLIBS)

# ---- the if_wg nvlist code, on Linux, against FreeBSD's libnv (the kit) ----
# The codec (wg/nv_*_freebsd.c) is pure: compiled here with the kit's
# <sys/nv.h> and linked with its libnv.a, built into build/ (the kit is
# read-only): plain for the benchmark, sanitized for the unit test,
# coverage-instrumented for the fuzzer.
FREEBSD_KIT ?= ../shared/freebsd
NV_SRCS := $(wildcard wg/nv_*_freebsd.c)
NV_INC  := -I$(FREEBSD_KIT)/libnv/include
ifneq ($(wildcard $(FREEBSD_KIT)/libnv/Makefile),)
NV_UNIT_SRCS := $(wildcard tests/unit/test_*_freebsd.c)
NV_FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*_freebsd.c)
NV_BINS := $(NV_UNIT_SRCS:tests/unit/%.c=$(BUILD)/unit/%) $(BUILD)/bench/nv_bench
NV_FUZZ_BINS := $(NV_FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz/%)
endif
NV_SAN_OBJS  := $(NV_SRCS:%.c=$(SAN)/%.o)
NV_FUZZ_OBJS := $(NV_SRCS:%.c=$(FUZZ_DIR)/%.o)
NV_OBJS      := $(NV_SRCS:%.c=$(OBJ)/%.o)
ifneq ($(BUILD_OS),FreeBSD)
$(NV_SAN_OBJS) $(NV_FUZZ_OBJS) $(NV_OBJS): CPPFLAGS += $(NV_INC)
endif

LIBNV_MAKE = $(MAKE) --no-print-directory -s -C $(FREEBSD_KIT)/libnv
$(BUILD)/libnv/libnv.a: $(wildcard $(FREEBSD_KIT)/libnv/src/sys/contrib/libnv/*.c)
	$(call msg,LIBNV,$@)
	$(Q)+$(LIBNV_MAKE) O=$(abspath $(BUILD)/libnv) CC="$(CC)" >/dev/null
$(BUILD)/libnv-san/libnv.a: $(wildcard $(FREEBSD_KIT)/libnv/src/sys/contrib/libnv/*.c)
	$(call msg,LIBNV,$@)
	$(Q)+$(LIBNV_MAKE) O=$(abspath $(BUILD)/libnv-san) CC="$(CC)" CFLAGS="$(SANFLAGS)" >/dev/null
$(BUILD)/libnv-fuzz/libnv.a: $(wildcard $(FREEBSD_KIT)/libnv/src/sys/contrib/libnv/*.c)
	$(call msg,LIBNV,$@)
	$(Q)+$(LIBNV_MAKE) O=$(abspath $(BUILD)/libnv-fuzz) CC="$(FUZZ_CC)" \
	  CFLAGS="-g -O1 -fsanitize=address,undefined,fuzzer-no-link" >/dev/null

$(BUILD)/unit/%_freebsd: tests/unit/%_freebsd.c $(LIB_SAN_OBJS) $(NV_SAN_OBJS) $(BUILD)/libnv-san/libnv.a $(UNIT_HELPERS)
	$(call msg,TEST,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(NV_INC) $(WFLAGS) -Wno-unused-parameter $(SANFLAGS) -o $@ $< $(UNIT_HELPERS) \
	  $(NV_SAN_OBJS) $(LIB_SAN_OBJS) $(BUILD)/libnv-san/libnv.a $(LDLIBS) $(shell pkg-config --libs cmocka)
$(BUILD)/fuzz/%_freebsd: tests/fuzz/%_freebsd.c $(LIB_FUZZ_OBJS) $(NV_FUZZ_OBJS) $(BUILD)/libnv-fuzz/libnv.a
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(CPPFLAGS) $(NV_INC) $(FUZZFLAGS) -fsanitize=fuzzer -MMD -MP -o $@ $< $(NV_FUZZ_OBJS) \
	  $(LIB_FUZZ_OBJS) $(BUILD)/libnv-fuzz/libnv.a $(LDLIBS)
$(BUILD)/bench/nv_bench: bench/nv_bench.c $(LIB_OBJS) $(NV_OBJS) $(BUILD)/libnv/libnv.a
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(NV_INC) $(WFLAGS) $(CFLAGS) -o $@ $< $(NV_OBJS) $(LIB_OBJS) $(BUILD)/libnv/libnv.a $(LDLIBS)

unit: $(UNIT_BINS)
fuzz-build: $(FUZZ_BINS) $(NV_FUZZ_BINS)
test-bins: wgjail $(BUILD)/wgjail-san unit nv-bins
nv-bins: $(NV_BINS)

# What the FreeBSD build compiles, for the compile-and-link check
# (tests/freebsd): `make -s print-srcs BUILD_OS=FreeBSD`.
print-srcs:
	@echo $(LIB_SRCS) $(MAIN_SRC)
print-wflags:
	@echo $(WFLAGS)
# The pkg-config packages this platform links (the port's LIB_DEPENDS).
print-pkgs:
	@echo $(PKGS)

# The port (dist/freebsd): its rc.d script is rc/wgjail.in in the ports'
# %%PREFIX%% form; its distfile is this tree at HEAD.
port-files:
	sed 's|@BINDIR@|%%PREFIX%%/sbin|g' rc/wgjail.in > $(PORTDIR)/files/wgjail.in
dist:
	git archive --format=tar.gz --prefix=wgjail-$(VERSION)/ -o wgjail-$(VERSION).tar.gz HEAD

# The test suites run on Debian (namespaces, wireguard-go, qemu; the
# FreeBSD code is checked there with the test kit), not on FreeBSD.
linux-only:
ifeq ($(BUILD_OS),FreeBSD)
	@echo 'make: the tests run on Linux (Debian 12); on FreeBSD build with make and install with make install' >&2; exit 1
endif

deps: linux-only
	$(Q)sh tests/deps.sh

# The test command of the README: dependencies, build, every suite.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
check: deps
	$(Q)$(MAKE) --no-print-directory -j$(JOBS) all test-bins fuzz-build
	$(Q)sh tests/run.sh

# The suites without `make deps` (for a machine that already has them).
test: linux-only all test-bins fuzz-build
	$(Q)sh tests/run.sh

# cppcheck over this platform's sources, then over the other platform's
# (FreeBSD's when on Linux) with that platform's macro.
OTHER_SRCS := $(filter $(PLATFORM_EXCLUDE), $(wildcard agent/*.c util/*.c wg/*.c keys/*.c netconf/*.c rc/*.c))
OTHER_DEF  := $(if $(filter -D__linux__,$(PLATFORM_DEF)),-D__FreeBSD__,-D__linux__)
lint:
	$(Q)cppcheck --quiet --error-exitcode=1 --enable=warning,portability,performance \
	  --std=c11 --inline-suppr $(PLATFORM_DEF) -I. $(LIB_SRCS) $(MAIN_SRC)
	$(Q)cppcheck --quiet --error-exitcode=1 --enable=warning,portability,performance \
	  --std=c11 --inline-suppr $(OTHER_DEF) -I. $(OTHER_SRCS)

demo: all
	$(Q)sh tests/demo.sh

bench: all
	$(Q)sh bench/run.sh

install: wgjail
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5
	install -m 0755 wgjail $(DESTDIR)$(BINDIR)/wgjail
	install -m 0644 man/wgjail.8 $(DESTDIR)$(MANDIR)/man8/wgjail.8
	install -m 0644 man/wgjail.conf.5 $(DESTDIR)$(MANDIR)/man5/wgjail.conf.5
ifeq ($(UNAME_S),FreeBSD)
ifneq ($(RCDIR),)
	install -d $(DESTDIR)$(RCDIR)
	sed 's|@BINDIR@|$(BINDIR)|g' rc/wgjail.in > $(DESTDIR)$(RCDIR)/wgjail
	chmod 0555 $(DESTDIR)$(RCDIR)/wgjail
endif
else
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|@BINDIR@|$(BINDIR)|g' rc/wgjail.service > $(DESTDIR)$(UNITDIR)/wgjail.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/wgjail.service
endif

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/wgjail $(DESTDIR)$(MANDIR)/man8/wgjail.8 \
	  $(DESTDIR)$(MANDIR)/man5/wgjail.conf.5 $(DESTDIR)$(RCDIR)/wgjail \
	  $(DESTDIR)$(UNITDIR)/wgjail.service

clean:
	rm -rf $(BUILD) wgjail

help:
	@sed -n '1,/^$$/p' Makefile
	@echo 'Targets: all deps check test lint demo bench install uninstall clean dist port-files'

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
