/*
 * accel.c: choosing the accelerator by name (-accel tcg|kvm). The table
 * lists every accelerator vireo knows; one that is not built in this
 * binary says so in one line.
 */
#include "vireo/common.h"
#include "vireo/error.h"
#include "accel/accel.h"

const AccelOps *accel_find(const char *name, GError **errp)
{
    if (strcmp(name, "kvm") == 0) {
        return &kvm_accel_ops;
    }
    if (strcmp(name, "tcg") == 0) {
        return &tcg_accel_ops;
    }
    error_setg(errp, "-accel %s: unknown accelerator (use kvm or tcg)", name);
    return NULL;
}
