/*
 * tcg-accel.c: the TCG accelerator's entry in the AccelOps table. The
 * software CPU (tcg/ and target-x86/'s translator) is being built; until
 * it runs guests, choosing it fails with one line that says so.
 */
#include "vireo/common.h"
#include "vireo/error.h"
#include "accel/accel.h"

static int tcg_init(struct Machine *m, const char *opts, GError **errp)
{
    error_setg(errp, "-accel tcg: the software CPU is not built yet; use -accel kvm");
    return -1;
}

static AccelExit tcg_vcpu_run(CPUState *cs)
{
    return ACCEL_EXIT_ERROR;
}

const AccelOps tcg_accel_ops = {
    .name = "tcg",
    .init = tcg_init,
    .vcpu_run = tcg_vcpu_run,
};
