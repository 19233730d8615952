/*
 * disas.c: host-code disassembly with capstone, for -d out_asm and for
 * tests that compare emitted sequences with expected text.
 */
#include "vireo/common.h"
#include <stdio.h>
#include <capstone.h>
#include "vireo/log.h"
#include "tcg-internal.h"

char *tcg_disas_str(const void *code, size_t size)
{
    csh h;
    GString *out = g_string_new(NULL);
    if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK) {
        return g_string_free(out, false);
    }
    cs_insn *insn;
    size_t n = cs_disasm(h, code, size, (uintptr_t)code, 0, &insn);
    for (size_t i = 0; i < n; i++) {
        g_string_append_printf(out, "%s%s%s\n", insn[i].mnemonic,
                               insn[i].op_str[0] ? " " : "", insn[i].op_str);
    }
    if (n) {
        cs_free(insn, n);
    }
    cs_close(&h);
    return g_string_free(out, false);
}

void tcg_log_disas(const void *code, size_t size)
{
    csh h;
    if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK) {
        return;
    }
    cs_insn *insn;
    size_t n = cs_disasm(h, code, size, (uintptr_t)code, 0, &insn);
    FILE *f = log_lock();
    fprintf(f, "OUT: [size=%zu]\n", size);
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "0x%08" PRIx64 ":  %-8s %s\n", insn[i].address,
                insn[i].mnemonic, insn[i].op_str);
    }
    fputc('\n', f);
    log_unlock();
    if (n) {
        cs_free(insn, n);
    }
    cs_close(&h);
}
