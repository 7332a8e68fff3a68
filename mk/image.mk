# `make image`: the OCI image localhost/vigil:VERSION (and :latest), built with podman from this
# machine's binary and libraries (scripts/image.sh; no registry needed). IMAGE=name overrides.
IMAGE ?= localhost/vigil

.PHONY: image
image: $(BUILD)/vigil
	$(Q)scripts/image.sh $(BUILD)/vigil $(VERSION) $(IMAGE)
