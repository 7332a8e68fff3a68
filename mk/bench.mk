# Every benchmark rule is here. Results go into docs/BENCHMARKS.md.
#
# C benchmark programs: every bench/bench_NAME.c is linked against libvigil (optimized build,
# no sanitizers). `make bench` builds and runs them all: bench/run runs each and writes its
# Markdown section into docs/BENCHMARKS.md. BENCH=NAME runs only bench/bench_NAME.c.
#
# A benchmark with a make target of its own (listed in BENCH_OWN_TARGET: bench-sign, and
# bench-evidence, which needs a ClickHouse) is run through that target instead, and its section
# is kept by hand (bench-fleet's is written by bench/run, with a ClickHouse started for it).
BENCH_OWN_TARGET := sign fleet
BENCH_SRCS := $(sort $(wildcard bench/bench_*.c))
BENCH_NAMES := $(BENCH_SRCS:bench/bench_%.c=%)
ifneq ($(BENCH),)
BENCH_NAMES := $(filter $(BENCH),$(BENCH_NAMES))
endif
BENCH_OWN := $(filter $(BENCH_OWN_TARGET),$(BENCH_NAMES))
BENCH_RUN := $(filter-out $(BENCH_OWN_TARGET),$(BENCH_NAMES))
BENCH_BINS := $(BENCH_RUN:%=$(BUILD)/bench/bench_%)

$(BUILD)/bench/bench_%: bench/bench_%.c $(LIBVIGIL) $(APP_OBJS)
	$(call msg,BENCH-LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(APP_OBJS) $(LIBVIGIL) $(LDFLAGS) $(LDLIBS)

# bench_tls is itself a TLS client and server (OpenSSL), which the binary does not link
$(BUILD)/bench/bench_tls: LDLIBS += -lssl -lcrypto

bench-bins: $(BENCH_BINS)

bench: bench-bins
	$(Q)$(if $(BENCH_BINS),bench/run $(BENCH_BINS))
	$(Q)$(foreach n,$(BENCH_OWN),$(MAKE) --no-print-directory bench-$(n) &&) true

# ---- the floor: empty BPF programs on every hook the sensor attaches ----------------------
# Generated from the SEC() lines of bpf/*.bpf.c (bench/overhead/gen-floor), so it follows the
# sensor's hook list; its own object, never part of the sensor's. bench/overhead/floor loads
# the object; bench_sensor embeds it as a skeleton (vigil_floor).
OVH_DIR := $(BUILD)/bench/overhead
OVH_SENSOR_BPF := $(sort $(wildcard bpf/*.bpf.c))

$(OVH_DIR)/floor.bpf.c: bench/overhead/gen-floor $(OVH_SENSOR_BPF)
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)bench/overhead/gen-floor $(OVH_SENSOR_BPF) > $@.tmp && mv $@.tmp $@

$(OVH_DIR)/floor.bpf.o: $(OVH_DIR)/floor.bpf.c
	$(call msg,BPF,$@)
	$(Q)$(CLANG) -g -O2 -Wall -Werror -target bpf -c $< -o $@

$(OVH_DIR)/floor.skel.h: $(OVH_DIR)/floor.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name vigil_floor > $@.tmp && mv $@.tmp $@

$(BUILD)/bench/bench_sensor: $(OVH_DIR)/floor.skel.h
$(BUILD)/bench/bench_sensor: LDLIBS += -luring
$(BUILD)/bench/bench_enforce_io: $(OVH_DIR)/floor.skel.h
$(BUILD)/bench/bench_enforce_io: LDLIBS += -luring

# ---- overhead (bench/overhead/): workloads under no sensor, the floor, vigil and peers -----
#   make bench-overhead                  run it (also part of `make bench`)
#   make bench-overhead BENCH_QUICK=1    about 2 minutes
# Results: the overhead section of docs/BENCHMARKS.md, docs/bench-overhead.{json,png}.
OVH_BINS := $(OVH_DIR)/wl $(OVH_DIR)/floor $(OVH_DIR)/floor.bpf.o

$(OVH_DIR)/wl: bench/overhead/wl.c lib/util/banned.h
	$(call msg,BENCH-LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -o $@ $<

$(OVH_DIR)/floor: bench/overhead/floor.c
	$(call msg,BENCH-LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(LDFLAGS) $(LDLIBS)

.PHONY: bench-overhead-bins bench-overhead
bench-overhead-bins: $(OVH_BINS) $(BUILD)/vigil

bench-overhead: bench-overhead-bins
	$(Q)bench/overhead/run

# `make bench` runs it too, after the C benchmark programs (unless BENCH names another one).
ifeq ($(filter-out overhead,$(BENCH)),)
bench: bench-overhead
endif

# ---- signing (bench/bench_sign.c): `make bench-sign` ----------------------------------------
# An explicit rule: it needs only libvigil.
$(BUILD)/bench/bench_sign: bench/bench_sign.c $(LIBVIGIL)
	$(call msg,BENCH-LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(LIBVIGIL) $(LDFLAGS) $(LDLIBS)

.PHONY: bench-sign
bench-sign: $(BUILD)/bench/bench_sign
	$(Q)$(BUILD)/bench/bench_sign

# ---- evidence (bench/bench_store.c): `make bench-evidence` ----------------------------------
# Against a fresh SQLite file and a real clickhouse-server started for the run
# (tests/lib/clickhouse.sh).
.PHONY: bench-evidence
bench-evidence: $(BUILD)/bench/bench_store
	$(Q)d=$$(mktemp -d /tmp/vigil-bench-XXXXXX); \
	. tests/lib/clickhouse.sh; \
	trap 'ch_cleanup; rm -rf "$$d"' EXIT; \
	if ch_start "$$d/ch" >/dev/null; then ch="clickhouse:$$CH_URL/vigil_bench"; else ch=; fi; \
	$(BUILD)/bench/bench_store "sqlite:$$d/evidence.db" $$ch

# ---- the fleet against one cockpit (bench/bench_fleet.c): `make bench-fleet` ---------------
# 1 000 nodes heartbeating and 1 000 000 alerts on SQLite, then on a real clickhouse-server
# started for the run (tests/lib/clickhouse.sh); bench/run writes its section of BENCHMARKS.md.
# BENCH_FLEET_ARGS="--alerts 100000" for a shorter run.
.PHONY: bench-fleet
bench-fleet: $(BUILD)/bench/bench_fleet
	$(Q)d=$$(mktemp -d /tmp/vigil-bench-XXXXXX); \
	. tests/lib/clickhouse.sh; \
	trap 'ch_cleanup; rm -rf "$$d"' EXIT; \
	if ch_start "$$d/ch" >/dev/null; then ch=$$CH_URL; else ch=; fi; \
	printf '#!/bin/sh\nexec %s %s\n' "$(CURDIR)/$(BUILD)/bench/bench_fleet" "$(BENCH_FLEET_ARGS)" >"$$d/bench_fleet"; \
	chmod +x "$$d/bench_fleet"; \
	VIGIL_BENCH_CLICKHOUSE=$$ch VIGIL_BENCH_CLICKHOUSE_PID=$$CH_PID bench/run "$$d/bench_fleet"
