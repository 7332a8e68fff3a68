# The cockpit's web page is embedded into the binary as a generated header: the page's own files
# (cockpit/web/*) and the browser libraries it vendors from npm (cockpit/vendor/package.json pins
# each version, package-lock.json pins each tarball's hash). `npm ci` runs on the first build and
# again only when the lock changes; node_modules stays in cockpit/vendor (not in build/), so
# later builds, after `make clean` too, need no network. Nothing is fetched at run time.
COCKPIT_WEB := $(sort $(wildcard cockpit/web/*))
COCKPIT_VENDOR := cockpit/vendor
COCKPIT_NPM_STAMP := $(COCKPIT_VENDOR)/node_modules/.vigil-npm-ci
COCKPIT_VENDORED := $(COCKPIT_VENDOR)/node_modules/uplot/dist/uPlot.iife.min.js \
	$(COCKPIT_VENDOR)/node_modules/uplot/dist/uPlot.min.css \
	uPlot.LICENSE.txt=$(COCKPIT_VENDOR)/node_modules/uplot/LICENSE
GENERATED_HEADERS += $(BUILD)/cockpit_assets.h

$(COCKPIT_NPM_STAMP): $(COCKPIT_VENDOR)/package.json $(COCKPIT_VENDOR)/package-lock.json
	$(call msg,NPM-CI,$(COCKPIT_VENDOR))
	$(Q)command -v npm >/dev/null || { echo "vigil: the cockpit page vendors npm packages:" \
		"npm is needed once (scripts/deps.sh build installs it)" >&2; exit 1; }
	$(Q)cd $(COCKPIT_VENDOR) && npm ci --prefer-offline --ignore-scripts --no-audit --no-fund \
		--loglevel=error
	$(Q)touch $@

$(BUILD)/cockpit_assets.h: $(COCKPIT_WEB) $(COCKPIT_NPM_STAMP) scripts/embed-assets.sh mk/cockpit.mk
	$(call msg,EMBED,$@)
	$(Q)mkdir -p $(@D)
	$(Q)scripts/embed-assets.sh $@ $(COCKPIT_WEB) $(COCKPIT_VENDORED)

# Screenshots of the page for docs/COCKPIT.md (docs/img/cockpit-*.png), taken by the browser
# tests when SHOTS names a directory (t8011 runs real agents: root). Not part of `make test`:
# run it after changing the page.
.PHONY: screenshots
screenshots: all
	$(Q)mkdir -p docs/img
	$(Q)for t in tests/e2e/t8001-cockpit-browser.sh tests/e2e/t8010-cockpit-fleet-browser.sh \
		tests/e2e/t8011-cockpit-agents-browser.sh; do SHOTS=$(CURDIR)/docs/img $$t || exit 1; done

# The page at fleet scale in Chromium (1 000 nodes, 100 000 incidents): docs/BENCHMARKS.md,
# section "Cockpit page". Takes minutes (seeding through the write API).
.PHONY: bench-page
bench-page: all
	$(Q)bench/page/run
