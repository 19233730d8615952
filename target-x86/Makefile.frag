# target-x86/: the guest CPU: state, decoder, translator, helpers.
lib-srcs += $(wildcard target-x86/*.c)
