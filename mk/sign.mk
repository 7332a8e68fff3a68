# Signing benchmark (bench/bench_sign.c). `make bench-sign` builds and runs it; an explicit
# rule, so a generic bench/ pattern rule elsewhere does not conflict with it.
$(BUILD)/bench/bench_sign: bench/bench_sign.c $(LIBVIGIL)
	$(call msg,BENCH-LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(LIBVIGIL) $(LDFLAGS) $(LDLIBS)

.PHONY: bench-sign
bench-sign: $(BUILD)/bench/bench_sign
	$(Q)$(BUILD)/bench/bench_sign
