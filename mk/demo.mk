# The founding demo: `make demo` builds vigil and the demo programs, runs scripts/demo.sh (the
# e2e test t4100 with its report kept) and prints the incident report. Needs root.
.PHONY: demo
demo: all progs
	$(Q)scripts/demo.sh $(DEMO_BEACONS)
