# vireo: the one non-recursive Makefile.
#
# Every source folder contributes a small fragment (FOLDER/Makefile.frag)
# that appends to these lists:
#   lib-srcs    sources linked into build/libvireo.a (everything but main)
#   unit-tests  tests/unit/test-NAME.c files, each built as its own binary
#   check-scripts  scripts run by `make check` after the unit tests
# Objects, binaries and generated files live under build/.

ifeq ($(wildcard config.mak),)
$(error config.mak is missing: run ./configure first)
endif
include config.mak

BUILD := build
# Quiet by default; `make V=1` shows the full commands.
ifeq ($(V),1)
Q :=
quiet = @true
else
Q := @
quiet = @printf '  %-6s %s\n'
endif
CFLAGS := $(BASE_CFLAGS) -I. -Iinclude -I$(BUILD) $(DEP_CFLAGS) -MMD -MP $(EXTRA_CFLAGS)
LDFLAGS := $(BASE_LDFLAGS) $(EXTRA_LDFLAGS)
LIBS := $(DEP_LIBS)

lib-srcs :=
unit-tests :=
check-scripts :=
guest-srcs :=
bench-scripts :=

include util/Makefile.frag
include system/Makefile.frag
include hw/Makefile.frag
include accel/Makefile.frag
include tcg/Makefile.frag
include target-x86/Makefile.frag
include ui/Makefile.frag
include tests/Makefile.frag

lib-objs := $(patsubst %.c,$(BUILD)/%.o,$(filter %.c,$(lib-srcs))) \
            $(patsubst %.S,$(BUILD)/%.o,$(filter %.S,$(lib-srcs)))
unit-bins := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(unit-tests))

.PHONY: all check check-unit check-long check-sanitizers install run bench clean distclean images
.DEFAULT_GOAL := all
.SECONDARY:

all: $(BUILD)/vireo $(unit-bins)

$(BUILD)/%.o: %.c config.mak
	@mkdir -p $(dir $@)
	$(quiet) CC $@
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/%.o: %.S config.mak
	@mkdir -p $(dir $@)
	$(quiet) AS $@
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/libvireo.a: $(lib-objs)
	@rm -f $@
	$(quiet) AR $@
	$(Q)$(AR) rcs $@ $^

$(BUILD)/vireo: $(BUILD)/system/main.o $(BUILD)/libvireo.a
	$(quiet) LINK $@
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/unit/%: $(BUILD)/tests/unit/%.o $(BUILD)/libvireo.a
	$(quiet) LINK $@
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBS) $(CMOCKA_LIBS)

$(BUILD)/tests/unit/%.o: tests/unit/%.c config.mak
	@mkdir -p $(dir $@)
	$(quiet) CC $@
	$(Q)$(CC) $(CFLAGS) $(CMOCKA_CFLAGS) -c -o $@ $<

# make check: unit tests, then the guest and integration scripts. The
# runner prints one closing line "check: N passed, N failed, N skipped".
check: all $(guest-bins)
	@scripts/run-tests.sh $(unit-bins) -- $(check-scripts)

check-unit: all
	@scripts/run-tests.sh $(unit-bins) --

check-long: all $(guest-bins)
	@VIREO_CHECK_LONG=1 scripts/run-tests.sh $(unit-bins) -- $(check-scripts)

# The unit tests again in an ASan+UBSan build of a copy of the tree.
check-sanitizers:
	@scripts/check-sanitizers.sh

images:
	scripts/build-guest-images.sh

run: $(BUILD)/vireo images
	scripts/run-linux.sh shell

bench: all $(guest-bins)
	@for b in $(bench-scripts); do $$b || exit 1; done

install: $(BUILD)/vireo
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(BUILD)/vireo $(DESTDIR)$(PREFIX)/bin/vireo

clean:
	rm -rf $(BUILD)/*.a $(BUILD)/vireo $(BUILD)/util $(BUILD)/system $(BUILD)/hw \
	       $(BUILD)/accel $(BUILD)/tcg $(BUILD)/target-x86 $(BUILD)/ui $(BUILD)/tests

distclean:
	rm -rf $(BUILD) config.mak config-host.h

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
