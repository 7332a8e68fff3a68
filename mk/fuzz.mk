# Fuzzing. Every tests/fuzz/fuzz_NAME.c defines LLVMFuzzerTestOneInput.
#   make fuzz          libFuzzer builds (clang, ASan+UBSan), each run FUZZ_SECONDS on its corpus
#   make fuzz-regress  the same harnesses with a replay driver (no libFuzzer), run over the
#                      corpus and every saved crash in tests/fuzz/regressions/NAME/ (make test)
FUZZ_SECONDS ?= 60
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_NAMES := $(FUZZ_SRCS:tests/fuzz/fuzz_%.c=%)

fuzz:
	$(Q)$(MAKE) --no-print-directory BUILD=build/fuzz CC=$(CLANG) OPT="-O1 -g" \
		SANITIZE=address,undefined EXTRA_FUZZ=1 fuzz-bins
	$(Q)for n in $(FUZZ_NAMES); do \
		mkdir -p build/fuzz/corpus/$$n; \
		echo "fuzz $$n for $(FUZZ_SECONDS)s"; \
		build/fuzz/fuzz_$$n -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
			-artifact_prefix=build/fuzz/crash-$$n- build/fuzz/corpus/$$n \
			tests/fuzz/corpus/$$n >build/fuzz/$$n.log 2>&1; rc=$$?; \
		tail -n 3 build/fuzz/$$n.log; \
		if [ $$rc -ne 0 ]; then echo "fuzz $$n failed: see build/fuzz/$$n.log"; exit 1; fi; \
	done

ifeq ($(EXTRA_FUZZ),1)
# clang's -Wformat-nonliteral also flags vfprintf(fmt, va_list) where fmt comes from a
# callback whose type cannot carry a format attribute (the libbpf print callback in
# sensor/sensor_lifecycle.c, which forwards libbpf's own format); gcc exempts va_list forms. The fuzz
# build drops the warning; the normal gcc build keeps -Wformat-nonliteral.
CFLAGS += -fsanitize=fuzzer-no-link -Wno-format-nonliteral
fuzz-bins: $(FUZZ_NAMES:%=$(BUILD)/fuzz_%)
$(BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(LIBVIGIL) $(APP_OBJS)
	$(call msg,FUZZ-LD,$@)
	$(Q)$(CC) $(CFLAGS) -fsanitize=fuzzer -o $@ $< $(APP_OBJS) $(LIBVIGIL) $(LDFLAGS) $(LDLIBS)
endif

FUZZ_REPLAY_BINS := $(FUZZ_NAMES:%=$(BUILD)/tests/fuzz/replay_%)

$(BUILD)/tests/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay_main.c $(LIBVIGIL) $(APP_OBJS)
	$(call msg,REPLAY,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -o $@ $< tests/fuzz/replay_main.c $(APP_OBJS) $(LIBVIGIL) $(LDFLAGS) $(LDLIBS)

fuzz-replay-bins: $(FUZZ_REPLAY_BINS)

fuzz-regress:
	$(Q)$(MAKE) --no-print-directory BUILD=build/asan SANITIZE=address,undefined OPT="-O1 -g" fuzz-replay-bins
	$(Q)pass=0; fail=0; for n in $(FUZZ_NAMES); do \
		if build/asan/tests/fuzz/replay_$$n tests/fuzz/corpus/$$n tests/fuzz/regressions/$$n; then \
			pass=$$((pass + 1)); else fail=$$((fail + 1)); fi; \
	done; echo "fuzz-regress: $$pass passed, $$fail failed"; [ $$fail -eq 0 ]
