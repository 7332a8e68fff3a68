# Test fixtures: the trigger programs in tests/progs/ and the founding demo in tests/demo/.
#   make progs   builds $(BUILD)/progs/NAME for every tests/progs/NAME.c (static, so they also
#                run inside minimal containers), $(BUILD)/demo/{service,update,c2} and
#                $(BUILD)/kubescape/kstyped (tests/kubescape: Go's view of Kubescape's types)
# The kernel and e2e tiers depend on it through TEST_DEPS.

PROGS_SRCS := $(sort $(wildcard tests/progs/*.c))
PROGS_BINS := $(PROGS_SRCS:tests/progs/%.c=$(BUILD)/progs/%)
PROGS_HDRS := $(wildcard tests/progs/*.h) lib/util/banned.h
PROGS_CFLAGS := -O2 -g -std=gnu11 -Wall -Wextra -Werror -Wvla -Wformat=2 -Wshadow \
	-Wno-unused-parameter -Wimplicit-fallthrough -D_GNU_SOURCE -include lib/util/banned.h \
	-Itests/progs

DEMO_DIR := $(BUILD)/demo
DEMO_GO_SRCS := $(sort $(wildcard tests/demo/go.mod tests/demo/*/*.go tests/demo/*/*/*.go))
DEMO_BINS := $(if $(wildcard tests/demo/service.c),$(DEMO_DIR)/service) \
	$(if $(wildcard tests/demo/go.mod),$(DEMO_DIR)/update $(DEMO_DIR)/c2 $(DEMO_DIR)/tlsclient)
# Offline, reproducible Go builds with everything under the build directory.
DEMO_GOENV := GOCACHE=$(abspath $(DEMO_DIR))/gocache GOPATH=$(abspath $(DEMO_DIR))/gopath \
	GOPROXY=off GOFLAGS=-mod=mod GO111MODULE=on CGO_ENABLED=0 GOTELEMETRY=off

KS_DIR := $(BUILD)/kubescape
KS_BINS := $(if $(wildcard tests/kubescape/go.mod),$(KS_DIR)/kstyped)
KS_GOENV := GOCACHE=$(abspath $(KS_DIR))/gocache GOPATH=$(abspath $(KS_DIR))/gopath \
	GOPROXY=off GOFLAGS=-mod=mod GO111MODULE=on CGO_ENABLED=0 GOTELEMETRY=off

.PHONY: progs
progs: $(PROGS_BINS) $(DEMO_BINS) $(KS_BINS)

TEST_DEPS += progs

# liburing is linked into every program; a static link only pulls in what each one uses.
$(BUILD)/progs/%: tests/progs/%.c $(PROGS_HDRS)
	$(call msg,PROG,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(PROGS_CFLAGS) -static -o $@ $< -luring

$(DEMO_DIR)/service: tests/demo/service.c $(PROGS_HDRS)
	$(call msg,PROG,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(PROGS_CFLAGS) -o $@ $<

$(DEMO_DIR)/%: $(DEMO_GO_SRCS)
	$(call msg,GO,$@)
	$(Q)mkdir -p $(@D)
	$(Q)cd tests/demo && $(DEMO_GOENV) go build -trimpath -buildvcs=false \
		-o $(abspath $@) ./$*

$(KS_DIR)/kstyped: tests/kubescape/go.mod tests/kubescape/main.go
	$(call msg,GO,$@)
	$(Q)mkdir -p $(@D)
	$(Q)cd tests/kubescape && $(KS_GOENV) go build -trimpath -buildvcs=false -o $(abspath $@) .
