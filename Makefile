# Vigil — GNU Make build. `make` builds build/vigil; see `make help`.
#
# Sources are found by wildcard so adding a file to a module needs no edit here:
#   lib/**/*.c      -> libvigil.a   (library: never logs, never exits)
#   sensor/**/*.c   -> the node sensor (loader, tables, learn, detect, zoom, sinks)
#   cockpit/**/*.c  -> the central server
#   cli/*.c         -> the vigil binary (main.c + one file per subcommand)
#   bpf/*.bpf.c     -> one BPF object linked with bpftool, and its skeleton
# Module-specific rules live in mk/*.mk (included below).

.DEFAULT_GOAL := all
SHELL := /bin/bash

BUILD ?= build
O := $(BUILD)/obj

ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-8s %s\n' $(1) $(2)
endif

CC ?= gcc
ifeq ($(origin CC),default)
CC := gcc
endif
CLANG ?= clang
BPFTOOL ?= bpftool
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo 0.1.0)

PKGS := libbpf yaml-0.1 libcrypto libssl libcurl sqlite3 libmicrohttpd jansson
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libcurl and libmicrohttpd (and libssl, which only libcurl uses) are not linked: they are
# loaded at their first use (lib/util/lazylib.h), so an agent that needs neither never maps them.
LAZY_PKGS := libcurl libmicrohttpd libssl
PKG_LIBS := $(shell pkg-config --libs $(filter-out $(LAZY_PKGS),$(PKGS)) 2>/dev/null) -lelf -lz \
	-lpthread -lm -ldl

WARN := -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes -Wvla -Wformat=2 \
	-Wimplicit-fallthrough -Wshadow -Wno-unused-parameter
OPT ?= -O2 -g
CFLAGS ?=
CFLAGS += $(OPT) -std=gnu11 $(WARN) -fno-strict-aliasing -D_GNU_SOURCE -DVIGIL_VERSION='"$(VERSION)"' \
	-Iinclude -Ilib -I. -I$(BUILD) -include lib/util/banned.h $(PKG_CFLAGS)
LDFLAGS ?=
LDLIBS += $(PKG_LIBS)

ifneq ($(SANITIZE),)
CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=$(SANITIZE)
endif

rwildcard = $(foreach d,$(wildcard $(1:=/*)),$(call rwildcard,$d,$2) $(filter $(subst *,%,$2),$d))

LIB_SRCS := $(sort $(call rwildcard,lib,*.c))
SENSOR_SRCS := $(sort $(call rwildcard,sensor,*.c))
COCKPIT_SRCS := $(sort $(call rwildcard,cockpit,*.c))
CLI_SRCS := $(sort $(wildcard cli/*.c))

LIB_OBJS := $(LIB_SRCS:%.c=$(O)/%.o)
SENSOR_OBJS := $(SENSOR_SRCS:%.c=$(O)/%.o)
COCKPIT_OBJS := $(COCKPIT_SRCS:%.c=$(O)/%.o)
CLI_OBJS := $(CLI_SRCS:%.c=$(O)/%.o)
LIBVIGIL := $(BUILD)/libvigil.a
APP_OBJS := $(SENSOR_OBJS) $(COCKPIT_OBJS)

# Extra prerequisites of the kernel and e2e tiers (e.g. test programs; mk/progs.mk adds to it).
TEST_DEPS :=

# Generated headers (BPF skeletons, embedded web assets) that objects may include.
GENERATED_HEADERS :=

-include $(sort $(wildcard mk/*.mk))

.PHONY: all help deps run test unit kernel e2e fuzz fuzz-regress bench check format install clean demo

all: $(BUILD)/vigil

help:
	@echo 'make            build build/vigil'
	@echo 'make run        install deps, build, start the agent (and cockpit) on this node'
	@echo 'make test       install deps, build, run every test tier (unit, fuzz regressions, kernel, e2e)'
	@echo 'make check      clang-format, warnings-as-errors build, cppcheck'
	@echo 'make fuzz       build fuzzers and run each for FUZZ_SECONDS (default 60)'
	@echo 'make bench      benchmarks; results in docs/BENCHMARKS.md'
	@echo 'make image      the OCI image localhost/vigil:VERSION and :latest (podman, offline)'
	@echo 'options: V=1 (verbose), SANITIZE=address,undefined, BUILD=dir'

deps:
	$(Q)scripts/deps.sh build

$(O)/%.o: %.c | $(GENERATED_HEADERS)
	$(call msg,CC,$<)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

# The version is compiled into one object only (lib/util/version.c), rebuilt when it changes.
$(BUILD)/version.txt: FORCE
	$(Q)mkdir -p $(@D) && (echo '$(VERSION)' | cmp -s - $@ || echo '$(VERSION)' > $@)
$(O)/lib/util/version.o: $(BUILD)/version.txt
.PHONY: FORCE
FORCE:

$(LIBVIGIL): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/vigil: $(CLI_OBJS) $(APP_OBJS) $(LIBVIGIL)
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $(CLI_OBJS) $(APP_OBJS) $(LIBVIGIL) $(LDLIBS)

-include $(call rwildcard,$(O),*.d)

# ---- tests -------------------------------------------------------------------------------
# Unit tests run under ASan+UBSan in their own build directory, so the main build stays fast.
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/unit/%)

$(BUILD)/tests/unit/%: tests/unit/%.c $(LIBVIGIL) $(APP_OBJS)
	$(call msg,TEST-LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(APP_OBJS) $(LIBVIGIL) $(LDFLAGS) $(LDLIBS) -lcmocka

unit-bins: $(UNIT_BINS)

unit:
	$(Q)$(MAKE) --no-print-directory BUILD=build/asan SANITIZE=address,undefined OPT="-O1 -g" unit-bins
	$(Q)tests/run-tier unit build/asan/tests/unit/test_*

kernel: all $(TEST_DEPS)
	$(Q)tests/run-tier kernel tests/kernel/t[0-9]*

e2e: all $(TEST_DEPS)
	$(Q)tests/run-tier e2e tests/e2e/t[0-9]*

test:
	$(Q)scripts/deps.sh build check test
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(MAKE) --no-print-directory unit
	$(Q)$(MAKE) --no-print-directory fuzz-regress
	$(Q)$(MAKE) --no-print-directory kernel
	$(Q)$(MAKE) --no-print-directory e2e

run:
	$(Q)scripts/deps.sh build
	$(Q)$(MAKE) --no-print-directory all
	$(Q)scripts/run.sh

# ---- quality ----------------------------------------------------------------------------
FORMAT_FILES = $(filter-out %vmlinux.h %.skel.h,$(shell git ls-files '*.c' '*.h' 2>/dev/null))

format:
	$(Q)clang-format -i $(FORMAT_FILES)

check:
	$(Q)scripts/deps.sh build check
	$(call msg,FORMAT,all)
	$(Q)clang-format --dry-run --Werror $(FORMAT_FILES)
	$(Q)$(MAKE) --no-print-directory all unit-bins
	$(call msg,CPPCHECK,all)
	$(Q)cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
		--inline-suppr --suppress=missingIncludeSystem --std=c11 -D__x86_64__ \
		$(CPPCHECK_MACROS) -Iinclude -Ilib -I. \
		$(LIB_SRCS) $(SENSOR_SRCS) $(COCKPIT_SRCS) $(CLI_SRCS)

# cppcheck does not read system headers: spell out the iteration macros of jansson it meets.
CPPCHECK_MACROS := '-Djson_array_foreach(a,i,v)=for (i = 0; (v = json_array_get(a, i)); i++)' \
	'-Djson_object_foreach(o,k,v)=for (k = 0; (v = 0);)' \
	'-Djson_object_foreach_safe(o,t,k,v)=for (k = 0; (v = 0);)'

install: all
	install -D -m 0755 $(BUILD)/vigil $(DESTDIR)/usr/local/bin/vigil

clean:
	rm -rf build
