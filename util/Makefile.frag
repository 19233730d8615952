# util/: logging, errors, option helpers shared by every subsystem.
lib-srcs += $(wildcard util/*.c)
