# Overhead benchmark (bench/overhead/): the workload program, the "floor" BPF object (empty
# programs on every hook the sensor uses, generated from bpf/*.bpf.c) and its loader.
#   make bench-overhead                  run it (also part of `make bench`)
#   make bench-overhead BENCH_QUICK=1    about 2 minutes
# Results: the overhead section of docs/BENCHMARKS.md, docs/bench-overhead.{json,png}.
OVH_DIR := $(BUILD)/bench/overhead
OVH_BINS := $(OVH_DIR)/wl $(OVH_DIR)/floor $(OVH_DIR)/floor.bpf.o

$(OVH_DIR)/wl: bench/overhead/wl.c lib/util/banned.h
	$(call msg,BENCH-LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -o $@ $<

$(OVH_DIR)/floor: bench/overhead/floor.c
	$(call msg,BENCH-LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(LDFLAGS) $(LDLIBS)

# (its own wildcard: mk/bpf.mk, which defines BPF_SRCS, is included after this file)
OVH_SENSOR_BPF := $(sort $(wildcard bpf/*.bpf.c))
$(OVH_DIR)/floor.bpf.c: bench/overhead/gen-floor $(OVH_SENSOR_BPF)
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)bench/overhead/gen-floor $(OVH_SENSOR_BPF) > $@.tmp && mv $@.tmp $@

$(OVH_DIR)/floor.bpf.o: $(OVH_DIR)/floor.bpf.c
	$(call msg,BPF,$@)
	$(Q)$(CLANG) -g -O2 -Wall -Werror -target bpf -c $< -o $@

.PHONY: bench-overhead-bins bench-overhead
bench-overhead-bins: $(OVH_BINS) $(BUILD)/vigil

bench-overhead: bench-overhead-bins
	$(Q)bench/overhead/run

# `make bench` runs it too, after the C benchmark programs (unless BENCH names another one).
ifeq ($(filter-out overhead,$(BENCH)),)
bench: bench-overhead
endif
