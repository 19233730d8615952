# tcg/: the target-independent IR, optimizer, backends and translation cache.
# The x86-64 JIT (register allocator and emitter) is built only for an
# x86-64 host; elsewhere jit-none.c stands in and the interpreter runs.
tcg-jit-srcs := tcg/regalloc.c tcg/x86_64.c
lib-srcs += $(filter-out $(tcg-jit-srcs) tcg/jit-none.c,$(wildcard tcg/*.c))
ifeq ($(CONFIG_HOST_JIT),x86_64)
lib-srcs += $(tcg-jit-srcs)
else
lib-srcs += tcg/jit-none.c
endif
