# tests/guests/: bare-metal test guests (multiboot v1 ELF32 images). Each
# NAME.S links with runtime.S through guest.ld into build/tests/guests/NAME.elf;
# NAME.expected beside it is its transcript on COM1. See docs/test-guests.md.
guest-names := hello realmode pmode32 longmode uart-irq pit-pic rtc-pic \
               apic-ioapic reset92 bench-pio gdbtarget paging segments vme \
               ferr-irq13 segchk tss16 debugreg smep-smap
guest-srcs += $(patsubst %,tests/guests/%.S,$(guest-names))
guest-bins += $(patsubst %,$(BUILD)/tests/guests/%.elf,$(guest-names))

GUEST_ASFLAGS := -m32 -ffreestanding -Itests/guests
GUEST_LDFLAGS := -m elf_i386 -T tests/guests/guest.ld -nostdlib -z max-page-size=0x1000 \
                 -z noexecstack --no-warn-rwx-segments

$(BUILD)/tests/guests/%.o: tests/guests/%.S tests/guests/guest.h
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_ASFLAGS) -c -o $@ $<

$(BUILD)/tests/guests/%.elf: $(BUILD)/tests/guests/%.o $(BUILD)/tests/guests/runtime.o tests/guests/guest.ld
	$(LD) $(GUEST_LDFLAGS) -o $@ $(BUILD)/tests/guests/runtime.o $<

.PHONY: guests
guests: $(guest-bins)
