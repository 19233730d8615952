# tcg/: the target-independent IR, optimizer, backends and translation cache.
lib-srcs += $(wildcard tcg/*.c)
