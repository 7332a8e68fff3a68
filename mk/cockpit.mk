# The cockpit's web page (cockpit/web/*) is embedded into the binary as a generated header.
COCKPIT_WEB := $(sort $(wildcard cockpit/web/*))
GENERATED_HEADERS += $(BUILD)/cockpit_assets.h

$(BUILD)/cockpit_assets.h: $(COCKPIT_WEB) scripts/embed-assets.sh
	$(call msg,EMBED,$@)
	$(Q)mkdir -p $(@D)
	$(Q)scripts/embed-assets.sh cockpit/web $@
