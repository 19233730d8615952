/*
 * kvm-exits.c: the KVM exits that become bus accesses. A KVM_EXIT_IO exit
 * (IN/OUT, and INS/OUTS with a repeat count) is dispatched to the port bus
 * and a KVM_EXIT_MMIO exit to the memory bus, through bus_read/bus_write,
 * the same functions TCG's I/O helpers call. The data lives in the kvm_run
 * area that KVM shares with user space; both functions check that what the
 * exit describes stays inside it. x86 hosts only: values are little-endian.
 */
#include "vireo/common.h"
#include "vireo/log.h"
#include "accel/kvm.h"

static bool bus_size_ok(unsigned size)
{
    return size == 1 || size == 2 || size == 4 || size == 8;
}

int kvm_handle_io(Bus *io, struct kvm_run *run, size_t run_size)
{
    unsigned size = run->io.size;
    uint64_t count = run->io.count;
    uint64_t off = run->io.data_offset;
    uint8_t *data;

    if ((size != 1 && size != 2 && size != 4) || count == 0 ||
        off > run_size || count * size > run_size - off) {
        log_mask(LOG_KVM, "kvm: malformed I/O exit: port 0x%x size %u count %" PRIu64
                 " offset 0x%" PRIx64 "\n", run->io.port, size, count, off);
        return -1;
    }
    data = (uint8_t *)run + off;
    for (uint64_t i = 0; i < count; i++, data += size) {
        uint64_t v = 0;
        if (run->io.direction == KVM_EXIT_IO_OUT) {
            memcpy(&v, data, size);
            bus_write(io, run->io.port, v, size);
        } else {
            v = bus_read(io, run->io.port, size);
            memcpy(data, &v, size);
        }
    }
    return 0;
}

int kvm_handle_mmio(Bus *mem, struct kvm_run *run)
{
    unsigned len = run->mmio.len;
    uint64_t addr = run->mmio.phys_addr;

    if (len == 0 || len > sizeof(run->mmio.data)) {
        log_mask(LOG_KVM, "kvm: malformed MMIO exit: 0x%" PRIx64 " length %u\n", addr, len);
        return -1;
    }
    if (bus_size_ok(len)) {
        uint64_t v = 0;
        if (run->mmio.is_write) {
            memcpy(&v, run->mmio.data, len);
            bus_write(mem, addr, v, len);
        } else {
            v = bus_read(mem, addr, len);
            memcpy(run->mmio.data, &v, len);
        }
        return 0;
    }
    /* A fragment of an access split at a page boundary: byte by byte. */
    for (unsigned i = 0; i < len; i++) {
        if (run->mmio.is_write) {
            bus_write(mem, addr + i, run->mmio.data[i], 1);
        } else {
            run->mmio.data[i] = (uint8_t)bus_read(mem, addr + i, 1);
        }
    }
    return 0;
}

const char *kvm_exit_reason_name(uint32_t reason)
{
#define EXIT_NAME(x) [x] = #x
    static const char *const names[] = {
        EXIT_NAME(KVM_EXIT_UNKNOWN),
        EXIT_NAME(KVM_EXIT_EXCEPTION),
        EXIT_NAME(KVM_EXIT_IO),
        EXIT_NAME(KVM_EXIT_HYPERCALL),
        EXIT_NAME(KVM_EXIT_DEBUG),
        EXIT_NAME(KVM_EXIT_HLT),
        EXIT_NAME(KVM_EXIT_MMIO),
        EXIT_NAME(KVM_EXIT_IRQ_WINDOW_OPEN),
        EXIT_NAME(KVM_EXIT_SHUTDOWN),
        EXIT_NAME(KVM_EXIT_FAIL_ENTRY),
        EXIT_NAME(KVM_EXIT_INTR),
        EXIT_NAME(KVM_EXIT_SET_TPR),
        EXIT_NAME(KVM_EXIT_TPR_ACCESS),
        EXIT_NAME(KVM_EXIT_NMI),
        EXIT_NAME(KVM_EXIT_INTERNAL_ERROR),
        EXIT_NAME(KVM_EXIT_SYSTEM_EVENT),
        EXIT_NAME(KVM_EXIT_IOAPIC_EOI),
        EXIT_NAME(KVM_EXIT_X86_RDMSR),
        EXIT_NAME(KVM_EXIT_X86_WRMSR),
        EXIT_NAME(KVM_EXIT_X86_BUS_LOCK),
        EXIT_NAME(KVM_EXIT_NOTIFY),
    };
#undef EXIT_NAME

    if (reason < G_N_ELEMENTS(names) && names[reason]) {
        return names[reason];
    }
    return "unknown";
}
