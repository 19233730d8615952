# system/: main(), the command line, run state, vCPU threads, main loop,
# character devices. main.c is linked only into the vireo binary.
lib-srcs += $(filter-out system/main.c,$(wildcard system/*.c))
