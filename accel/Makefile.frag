# accel/: the accelerator interface and its implementations (KVM, TCG glue).
lib-srcs += $(wildcard accel/*.c accel/*/*.c)
