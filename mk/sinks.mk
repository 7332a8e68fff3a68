# Alert sinks (sensor/out/): the e2e test driver tests/progs/alert_send.
#   make alert-send   builds $(BUILD)/progs/alert_send, linked with libvigil and the sink
#                     objects only (an explicit rule, so it wins over any tests/progs/% pattern)

SINK_OBJS := $(filter $(O)/sensor/out/%,$(SENSOR_OBJS))
ALERT_SEND := $(BUILD)/progs/alert_send

.PHONY: alert-send
alert-send: $(ALERT_SEND)

$(ALERT_SEND): tests/progs/alert_send.c $(SINK_OBJS) $(LIBVIGIL)
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(SINK_OBJS) $(LIBVIGIL) $(LDFLAGS) $(LDLIBS)

e2e: $(ALERT_SEND)
