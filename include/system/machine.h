/*
 * machine.h: the command line's result (MachineConfig) and the running
 * machine (Machine): RAM, the two buses, the vCPU, the accelerator. The
 * board (hw/pc/pc.c) creates and wires the devices into a Machine.
 */
#ifndef SYSTEM_MACHINE_H
#define SYSTEM_MACHINE_H

#include "vireo/common.h"
#include "hw/bus.h"
#include "accel/accel.h"

struct X86CPU;
struct PCBoard;

typedef struct DeviceOpt {
    char *driver;        /* e.g. "isa-debug-exit" */
    GHashTable *props;   /* key -> value strings */
} DeviceOpt;

typedef struct MachineConfig {
    uint64_t ram_size;   /* bytes; default 128 MiB */
    char *kernel;        /* -kernel */
    char *initrd;        /* -initrd */
    char *append;        /* -append */
    char *bios;          /* -bios */
    char *serial;        /* -serial spec; default "stdio" with -nographic */
    char *display;       /* "sdl", "none" */
    bool nographic;
    bool no_reboot;
    char *accel;         /* "tcg" or "kvm" */
    char *accel_opts;    /* the text after the first comma of -accel */
    GPtrArray *devices;  /* DeviceOpt * from -device */
} MachineConfig;

typedef struct Machine {
    MachineConfig *cfg;
    uint8_t *ram;        /* one host allocation, shared by TCG's TLB and KVM's slots */
    uint64_t ram_size;
    Bus *mem;            /* guest-physical memory map */
    Bus *io;             /* 64K port space */
    struct X86CPU *cpu;  /* the (single, for now) vCPU */
    const AccelOps *accel;
    struct PCBoard *board;
    /* Hooks the board and the display fill in (NULL: not available). */
    void (*powerdown)(struct Machine *m);   /* press the ACPI power button */
    /* Writes the screen as a PNG: 0, or -1 with errp set. */
    int (*screendump)(struct Machine *m, const char *path, GError **errp);
} Machine;

/* The machine (there is one per process). */
extern Machine *current_machine;

MachineConfig *machine_config_new(void);
void machine_config_free(MachineConfig *cfg);

/* Parses "driver,key=val,..." for -device: 0, or -1 with errp set. */
int machine_config_add_device(MachineConfig *cfg, const char *spec, GError **errp) VIREO_WUR;

/* Parses "128M", "1G", "512" (MiB when no suffix): 0, or -1 with errp set. */
int parse_size(const char *str, uint64_t *bytes, GError **errp) VIREO_WUR;

#endif
