# hw/: buses, IRQ lines, clock (hw/core) and the devices and board.
lib-srcs += $(wildcard hw/*/*.c)
