# Evidence benchmark (bench/bench_store.c). `make bench-evidence` builds it and runs it against
# a fresh SQLite file and a real clickhouse-server started for the run (tests/lib/clickhouse.sh).
$(BUILD)/bench/bench_store: bench/bench_store.c $(LIBVIGIL) $(APP_OBJS)
	$(call msg,BENCH-LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(APP_OBJS) $(LIBVIGIL) $(LDFLAGS) $(LDLIBS)

.PHONY: bench-evidence
bench-evidence: $(BUILD)/bench/bench_store
	$(Q)d=$$(mktemp -d /tmp/vigil-bench-XXXXXX); \
	. tests/lib/clickhouse.sh; \
	trap 'ch_cleanup; rm -rf "$$d"' EXIT; \
	if ch_start "$$d/ch" >/dev/null; then ch="clickhouse:$$CH_URL/vigil_bench"; else ch=; fi; \
	$(BUILD)/bench/bench_store "sqlite:$$d/evidence.db" $$ch
