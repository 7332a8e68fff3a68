# BPF: vmlinux.h from the running kernel's BTF, one BPF object for bpf/*.bpf.c (linked with
# bpftool when there are several), its skeleton, and the x86_64 syscall and capability name
# tables generated from the system headers. Everything lands in $(BUILD)/ (never committed).
BPF_SRCS := $(sort $(wildcard bpf/*.bpf.c))
BPF_OBJS := $(BPF_SRCS:bpf/%.bpf.c=$(BUILD)/bpf/%.bpf.o)
BPF_HDRS := $(wildcard bpf/*.h)
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
UNISTD_H ?= /usr/include/x86_64-linux-gnu/asm/unistd_64.h
CAPABILITY_H ?= /usr/include/linux/capability.h
BPF_CFLAGS := -g -O2 -Wall -Werror -target bpf -D__TARGET_ARCH_x86 -I$(BUILD)/bpf -Ibpf

GENERATED_HEADERS += $(BUILD)/vigil.skel.h $(BUILD)/syscall_names.h $(BUILD)/cap_names.h

$(BUILD)/bpf/vmlinux.h:
	$(call msg,BTF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp && mv $@.tmp $@

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS) $(BUILD)/bpf/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/bpf/vigil.o: $(BPF_OBJS)
	$(call msg,BPFLINK,$@)
	$(Q)$(BPFTOOL) gen object $@.tmp $^ && mv $@.tmp $@

$(BUILD)/vigil.skel.h: $(BUILD)/bpf/vigil.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name vigil_bpf > $@.tmp && mv $@.tmp $@

$(BUILD)/syscall_names.h: $(UNISTD_H)
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)awk '/^#define __NR_[a-z0-9_]+[ \t]+[0-9]+/ { sub("__NR_", "", $$2); \
		printf "\t[%s] = \"%s\",\n", $$3, $$2 }' $< > $@.tmp && mv $@.tmp $@

$(BUILD)/cap_names.h: $(CAPABILITY_H)
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)awk '/^#define CAP_[A-Z_]+[ \t]+[0-9]+[ \t]*$$/ { printf "\t[%s] = \"%s\",\n", $$3, $$2 }' \
		$< > $@.tmp && mv $@.tmp $@
