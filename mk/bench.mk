# Benchmarks: every bench/bench_NAME.c is a program linked against libvigil (optimized build,
# no sanitizers). `make bench` builds and runs them all: bench/run runs each and writes its
# Markdown section into docs/BENCHMARKS.md. BENCH=NAME runs only bench/bench_NAME.c.
#
# A benchmark with a make target of its own (listed in BENCH_OWN_TARGET, e.g. bench-sign in
# mk/sign.mk) is run through that target instead, and its section is kept by hand.
BENCH_OWN_TARGET := sign
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

bench-bins: $(BENCH_BINS)

bench: bench-bins
	$(Q)$(if $(BENCH_BINS),bench/run $(BENCH_BINS))
	$(Q)$(foreach n,$(BENCH_OWN),$(MAKE) --no-print-directory bench-$(n) &&) true
