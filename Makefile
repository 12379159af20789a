# wgjail — build, test, install.  `make help` lists the targets.
#
# Variables (override on the command line):
#   PREFIX   install prefix            (/usr/local)
#   DESTDIR  staging root for packages ()
#   BINDIR   binaries                  ($(PREFIX)/sbin)
#   MANDIR   manual pages              ($(PREFIX)/share/man, FreeBSD: $(PREFIX)/man)
#   RCDIR    FreeBSD rc.d scripts      ($(PREFIX)/etc/rc.d)
#   UNITDIR  systemd units             (/lib/systemd/system)
#   V=1      show the commands being run
#   CC, CFLAGS, LDFLAGS as usual.

# UNAME_S picks the install layout (override it to stage a FreeBSD tree);
# the sources compiled always follow the system that builds.
UNAME_S ?= $(shell uname -s)
BUILD_OS := $(shell uname -s)
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/sbin
ifeq ($(UNAME_S),FreeBSD)
MANDIR  ?= $(PREFIX)/man
else
MANDIR  ?= $(PREFIX)/share/man
endif
RCDIR   ?= $(PREFIX)/etc/rc.d
UNITDIR ?= /lib/systemd/system

PKGS    := libsodium libmnl inih
CC      ?= cc
CFLAGS  ?= -O2 -g
WFLAGS  := -std=c11 -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral
CPPFLAGS += -D_GNU_SOURCE -I. $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null)

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
else
PLATFORM_EXCLUDE := %_freebsd.c
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

UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/unit/%)
UNIT_HELPERS := $(filter-out $(UNIT_SRCS), $(wildcard tests/unit/*.c))
FUZZ_SRCS  := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS  := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz/%)

.PHONY: all deps check unit fuzz-build test demo install uninstall clean help lint bench
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

unit: $(UNIT_BINS)
fuzz-build: $(FUZZ_BINS)
test-bins: wgjail $(BUILD)/wgjail-san unit

deps:
	$(Q)sh tests/deps.sh

# The test command of the README: dependencies, build, every suite.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
check: deps
	$(Q)$(MAKE) --no-print-directory -j$(JOBS) all test-bins fuzz-build
	$(Q)sh tests/run.sh

# The suites without `make deps` (for a machine that already has them).
test: all test-bins fuzz-build
	$(Q)sh tests/run.sh

lint:
	$(Q)cppcheck --quiet --error-exitcode=1 --enable=warning,portability,performance \
	  --std=c11 --inline-suppr -D__linux__ -I. $(LIB_SRCS) $(MAIN_SRC)

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
	install -d $(DESTDIR)$(RCDIR)
	sed 's|@BINDIR@|$(BINDIR)|g' rc/wgjail.in > $(DESTDIR)$(RCDIR)/wgjail
	chmod 0555 $(DESTDIR)$(RCDIR)/wgjail
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
	@sed -n '1,12p' Makefile
	@echo 'Targets: all deps check test lint demo bench install uninstall clean'

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
