# tests/: cmocka unit tests (tests/unit/test-*.c, one binary each),
# bare-metal guests (tests/guests/), and check scripts (tests/*.sh).
unit-tests += $(wildcard tests/unit/test-*.c)
-include tests/guests/Makefile.frag
check-scripts += $(sort $(wildcard tests/check-*.sh))
bench-scripts += $(sort $(wildcard tests/bench-*.sh))
