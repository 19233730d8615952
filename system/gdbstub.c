/*
 * gdbstub.c: the GDB remote serial protocol server (-s, -gdb tcp::PORT,
 * -gdb unix:PATH, the monitor's gdbserver). It frames packets
 * ($data#checksum), answers with the register file described by a target
 * description XML generated from one table (amd64, or i386 for a CPU
 * model without long mode), reads and writes
 * guest-virtual memory through the guest's page tables, and controls the
 * vCPU through the generic run controls (vm_stop/vm_cont), breakpoints
 * and single step, which the accelerator implements. Runs on the main
 * loop with the BQL held; the vCPU reports debug stops through
 * cpus_set_debug_handler.
 */
#include "vireo/common.h"
#include "vireo/error.h"
#include "vireo/log.h"
#include "system/chardev.h"
#include "system/cpus.h"
#include "system/gdbstub.h"
#include "system/machine.h"
#include "system/runstate.h"
#include "target-x86/arch-debug.h"
#include "target-x86/cpu.h"
#include "target-x86/cpuid.h"

#define GDB_MAX_PACKET 16384

typedef enum { RX_IDLE, RX_DATA, RX_CSUM1, RX_CSUM2 } RxState;

struct GdbServer {
    Chardev *chr;
    RxState rx;
    GString *pkt;
    uint8_t csum;
    char csum_hex[3];
    bool no_ack;
    bool attached;
    bool waiting_stop;      /* a c/s is running: send a stop reply when it stops */
    bool stepping;
};

static GdbServer *gdb_server;

/* ---- the register file: one table drives g/G/p/P and the XML ---- */

typedef enum { GR_GPR, GR_RIP, GR_EFLAGS, GR_SEG, GR_SEGBASE, GR_ST, GR_FPU, GR_XMM,
               GR_MXCSR, GR_CR, GR_EFER } GdbRegKind;

typedef struct GdbReg {
    const char *name;
    int bits;
    const char *type;
    GdbRegKind kind;
    int index;
    const char *feature;
} GdbReg;

#define CORE "org.gnu.gdb.i386.core"
#define SSE  "org.gnu.gdb.i386.sse"
#define SEGS "org.gnu.gdb.i386.segments"
#define SYS  "org.vireo.x86.sys"

/* amd64 order as gdb's core feature expects it. */
static const GdbReg gdb_regs_amd64[] = {
    { "rax", 64, "int64", GR_GPR, R_EAX, CORE }, { "rbx", 64, "int64", GR_GPR, R_EBX, CORE },
    { "rcx", 64, "int64", GR_GPR, R_ECX, CORE }, { "rdx", 64, "int64", GR_GPR, R_EDX, CORE },
    { "rsi", 64, "int64", GR_GPR, R_ESI, CORE }, { "rdi", 64, "int64", GR_GPR, R_EDI, CORE },
    { "rbp", 64, "data_ptr", GR_GPR, R_EBP, CORE }, { "rsp", 64, "data_ptr", GR_GPR, R_ESP, CORE },
    { "r8", 64, "int64", GR_GPR, 8, CORE }, { "r9", 64, "int64", GR_GPR, 9, CORE },
    { "r10", 64, "int64", GR_GPR, 10, CORE }, { "r11", 64, "int64", GR_GPR, 11, CORE },
    { "r12", 64, "int64", GR_GPR, 12, CORE }, { "r13", 64, "int64", GR_GPR, 13, CORE },
    { "r14", 64, "int64", GR_GPR, 14, CORE }, { "r15", 64, "int64", GR_GPR, 15, CORE },
    { "rip", 64, "code_ptr", GR_RIP, 0, CORE }, { "eflags", 32, "int32", GR_EFLAGS, 0, CORE },
    { "cs", 32, "int32", GR_SEG, R_CS, CORE }, { "ss", 32, "int32", GR_SEG, R_SS, CORE },
    { "ds", 32, "int32", GR_SEG, R_DS, CORE }, { "es", 32, "int32", GR_SEG, R_ES, CORE },
    { "fs", 32, "int32", GR_SEG, R_FS, CORE }, { "gs", 32, "int32", GR_SEG, R_GS, CORE },
    { "st0", 80, "i387_ext", GR_ST, 0, CORE }, { "st1", 80, "i387_ext", GR_ST, 1, CORE },
    { "st2", 80, "i387_ext", GR_ST, 2, CORE }, { "st3", 80, "i387_ext", GR_ST, 3, CORE },
    { "st4", 80, "i387_ext", GR_ST, 4, CORE }, { "st5", 80, "i387_ext", GR_ST, 5, CORE },
    { "st6", 80, "i387_ext", GR_ST, 6, CORE }, { "st7", 80, "i387_ext", GR_ST, 7, CORE },
    { "fctrl", 32, "int", GR_FPU, 0, CORE }, { "fstat", 32, "int", GR_FPU, 1, CORE },
    { "ftag", 32, "int", GR_FPU, 2, CORE }, { "fiseg", 32, "int", GR_FPU, 3, CORE },
    { "fioff", 32, "int", GR_FPU, 4, CORE }, { "foseg", 32, "int", GR_FPU, 5, CORE },
    { "fooff", 32, "int", GR_FPU, 6, CORE }, { "fop", 32, "int", GR_FPU, 7, CORE },
    { "xmm0", 128, "vec128", GR_XMM, 0, SSE }, { "xmm1", 128, "vec128", GR_XMM, 1, SSE },
    { "xmm2", 128, "vec128", GR_XMM, 2, SSE }, { "xmm3", 128, "vec128", GR_XMM, 3, SSE },
    { "xmm4", 128, "vec128", GR_XMM, 4, SSE }, { "xmm5", 128, "vec128", GR_XMM, 5, SSE },
    { "xmm6", 128, "vec128", GR_XMM, 6, SSE }, { "xmm7", 128, "vec128", GR_XMM, 7, SSE },
    { "xmm8", 128, "vec128", GR_XMM, 8, SSE }, { "xmm9", 128, "vec128", GR_XMM, 9, SSE },
    { "xmm10", 128, "vec128", GR_XMM, 10, SSE }, { "xmm11", 128, "vec128", GR_XMM, 11, SSE },
    { "xmm12", 128, "vec128", GR_XMM, 12, SSE }, { "xmm13", 128, "vec128", GR_XMM, 13, SSE },
    { "xmm14", 128, "vec128", GR_XMM, 14, SSE }, { "xmm15", 128, "vec128", GR_XMM, 15, SSE },
    { "mxcsr", 32, "int", GR_MXCSR, 0, SSE },
    { "fs_base", 64, "int64", GR_SEGBASE, R_FS, SEGS },
    { "gs_base", 64, "int64", GR_SEGBASE, R_GS, SEGS },
    { "cr0", 64, "int64", GR_CR, 0, SYS }, { "cr2", 64, "int64", GR_CR, 2, SYS },
    { "cr3", 64, "int64", GR_CR, 3, SYS }, { "cr4", 64, "int64", GR_CR, 4, SYS },
    { "cr8", 64, "int64", GR_CR, 8, SYS }, { "efer", 64, "int64", GR_EFER, 0, SYS },
};

/* i386 order (gdb's 32bit-core.xml and 32bit-sse.xml): the general
 * registers in hardware encoding order, eip, eflags, the selectors, x87
 * (regnums 0-31), xmm0-7 and mxcsr (32-40); then the system registers.
 * The g packet is this table in order. fs_base and gs_base sit in the
 * vireo feature, not in org.gnu.gdb.i386.segments: gdb 13 accepts that
 * feature for amd64 only and fails an internal assertion for i386. The
 * Linux feature (orig_eax) is left out: it is a kernel syscall-restart
 * slot, not CPU state. */
static const GdbReg gdb_regs_i386[] = {
    { "eax", 32, "int32", GR_GPR, R_EAX, CORE }, { "ecx", 32, "int32", GR_GPR, R_ECX, CORE },
    { "edx", 32, "int32", GR_GPR, R_EDX, CORE }, { "ebx", 32, "int32", GR_GPR, R_EBX, CORE },
    { "esp", 32, "data_ptr", GR_GPR, R_ESP, CORE }, { "ebp", 32, "data_ptr", GR_GPR, R_EBP, CORE },
    { "esi", 32, "int32", GR_GPR, R_ESI, CORE }, { "edi", 32, "int32", GR_GPR, R_EDI, CORE },
    { "eip", 32, "code_ptr", GR_RIP, 0, CORE }, { "eflags", 32, "int32", GR_EFLAGS, 0, CORE },
    { "cs", 32, "int32", GR_SEG, R_CS, CORE }, { "ss", 32, "int32", GR_SEG, R_SS, CORE },
    { "ds", 32, "int32", GR_SEG, R_DS, CORE }, { "es", 32, "int32", GR_SEG, R_ES, CORE },
    { "fs", 32, "int32", GR_SEG, R_FS, CORE }, { "gs", 32, "int32", GR_SEG, R_GS, CORE },
    { "st0", 80, "i387_ext", GR_ST, 0, CORE }, { "st1", 80, "i387_ext", GR_ST, 1, CORE },
    { "st2", 80, "i387_ext", GR_ST, 2, CORE }, { "st3", 80, "i387_ext", GR_ST, 3, CORE },
    { "st4", 80, "i387_ext", GR_ST, 4, CORE }, { "st5", 80, "i387_ext", GR_ST, 5, CORE },
    { "st6", 80, "i387_ext", GR_ST, 6, CORE }, { "st7", 80, "i387_ext", GR_ST, 7, CORE },
    { "fctrl", 32, "int", GR_FPU, 0, CORE }, { "fstat", 32, "int", GR_FPU, 1, CORE },
    { "ftag", 32, "int", GR_FPU, 2, CORE }, { "fiseg", 32, "int", GR_FPU, 3, CORE },
    { "fioff", 32, "int", GR_FPU, 4, CORE }, { "foseg", 32, "int", GR_FPU, 5, CORE },
    { "fooff", 32, "int", GR_FPU, 6, CORE }, { "fop", 32, "int", GR_FPU, 7, CORE },
    { "xmm0", 128, "vec128", GR_XMM, 0, SSE }, { "xmm1", 128, "vec128", GR_XMM, 1, SSE },
    { "xmm2", 128, "vec128", GR_XMM, 2, SSE }, { "xmm3", 128, "vec128", GR_XMM, 3, SSE },
    { "xmm4", 128, "vec128", GR_XMM, 4, SSE }, { "xmm5", 128, "vec128", GR_XMM, 5, SSE },
    { "xmm6", 128, "vec128", GR_XMM, 6, SSE }, { "xmm7", 128, "vec128", GR_XMM, 7, SSE },
    { "mxcsr", 32, "int", GR_MXCSR, 0, SSE },
    { "fs_base", 32, "int32", GR_SEGBASE, R_FS, SYS },
    { "gs_base", 32, "int32", GR_SEGBASE, R_GS, SYS },
    { "cr0", 32, "int32", GR_CR, 0, SYS }, { "cr2", 32, "int32", GR_CR, 2, SYS },
    { "cr3", 32, "int32", GR_CR, 3, SYS }, { "cr4", 32, "int32", GR_CR, 4, SYS },
    { "efer", 64, "int64", GR_EFER, 0, SYS },
};

typedef struct GdbLayout {
    const char *arch;
    const GdbReg *regs;
    size_t nregs;
} GdbLayout;

static const GdbLayout layout_amd64 = { "i386:x86-64", gdb_regs_amd64, ARRAY_SIZE(gdb_regs_amd64) };
static const GdbLayout layout_i386 = { "i386", gdb_regs_i386, ARRAY_SIZE(gdb_regs_i386) };

/* The register file gdb sees: the i386 one when the CPU model has no long
 * mode (-cpu vireo32), as a 32-bit CPU cannot hold 64-bit registers. */
static const GdbLayout *gdb_layout(void)
{
    return x86_cpu_has_long_mode(&current_machine->cpu->env) ? &layout_amd64 : &layout_i386;
}

/* The x87 tag word in its full two-bits-per-register form, from fptags. */
static uint32_t fpu_full_tag(X86CPUState *env)
{
    uint32_t tag = 0;
    for (int i = 0; i < 8; i++) {
        tag |= (env->fptags[i] ? 3u : 0u) << (2 * i);
    }
    return tag;
}

static uint64_t fpu_reg(X86CPUState *env, int i)
{
    switch (i) {
    case 0: return env->fpuc;
    case 1: return (env->fpus & ~0x3800u) | ((env->fpstt & 7) << 11);
    case 2: return fpu_full_tag(env);
    case 3: return env->fpcs;
    case 4: return (uint32_t)env->fpip;
    case 5: return env->fpds;
    case 6: return (uint32_t)env->fpdp;
    default: return env->fpop;
    }
}

/* Reads register r into buf (little-endian, bits/8 bytes). */
static void reg_read(X86CPUState *env, const GdbReg *r, uint8_t *buf)
{
    uint64_t v = 0;

    memset(buf, 0, r->bits / 8);
    switch (r->kind) {
    case GR_GPR: v = env->regs[r->index]; break;
    case GR_RIP: v = env->rip; break;
    case GR_EFLAGS: v = x86_eflags_get(env); break;
    case GR_SEG: v = env->segs[r->index].selector; break;
    case GR_SEGBASE: v = env->segs[r->index].base; break;
    case GR_FPU: v = fpu_reg(env, r->index); break;
    case GR_MXCSR: v = env->mxcsr; break;
    case GR_CR: v = r->index == 8 ? env->cr8 : env->cr[r->index]; break;
    case GR_EFER: v = env->efer; break;
    case GR_ST: {
        FloatX80 *f = &env->fpregs[(env->fpstt + r->index) & 7];
        memcpy(buf, &f->mant, 8);
        memcpy(buf + 8, &f->sexp, 2);
        return;
    }
    case GR_XMM:
        memcpy(buf, &env->xmm[r->index], 16);
        return;
    }
    memcpy(buf, &v, r->bits / 8);
}

/* Writes register r from buf. Segment selectors and control registers
 * are read-only here: changing them needs the descriptor and mode logic
 * of the CPU, which a debugger write must not bypass. */
static void reg_write(X86CPUState *env, const GdbReg *r, const uint8_t *buf)
{
    uint64_t v = 0;

    if (r->bits <= 64) {
        memcpy(&v, buf, r->bits / 8);
    }
    switch (r->kind) {
    case GR_GPR: env->regs[r->index] = v; break;
    case GR_RIP: env->rip = v; break;
    case GR_EFLAGS: x86_eflags_set(env, v); break;
    case GR_SEGBASE: env->segs[r->index].base = v; break;
    case GR_MXCSR: env->mxcsr = v & 0xffff; break;
    case GR_ST: {
        FloatX80 *f = &env->fpregs[(env->fpstt + r->index) & 7];
        memcpy(&f->mant, buf, 8);
        memcpy(&f->sexp, buf + 8, 2);
        break;
    }
    case GR_XMM: memcpy(&env->xmm[r->index], buf, 16); break;
    case GR_FPU:
        if (r->index == 0) {
            env->fpuc = v;
        }
        break;
    case GR_SEG: case GR_CR: case GR_EFER:
        break;
    }
}

/* The target description: <feature> blocks in table order. */
static char *target_xml(void)
{
    const GdbLayout *l = gdb_layout();
    GString *x = g_string_new("<?xml version=\"1.0\"?>\n"
                              "<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
                              "<target version=\"1.0\">\n");
    const char *cur = NULL;

    g_string_append_printf(x, "<architecture>%s</architecture>\n", l->arch);
    for (size_t i = 0; i < l->nregs; i++) {
        const GdbReg *r = &l->regs[i];
        if (!cur || strcmp(cur, r->feature) != 0) {
            if (cur) {
                g_string_append(x, "</feature>\n");
            }
            cur = r->feature;
            g_string_append_printf(x, "<feature name=\"%s\">\n", cur);
            if (strcmp(cur, SSE) == 0) {
                g_string_append(x,
                    "<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>\n"
                    "<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>\n"
                    "<vector id=\"v16i8\" type=\"int8\" count=\"16\"/>\n"
                    "<vector id=\"v8i16\" type=\"int16\" count=\"8\"/>\n"
                    "<vector id=\"v4i32\" type=\"int32\" count=\"4\"/>\n"
                    "<vector id=\"v2i64\" type=\"int64\" count=\"2\"/>\n"
                    "<union id=\"vec128\"><field name=\"v4_float\" type=\"v4f\"/>"
                    "<field name=\"v2_double\" type=\"v2d\"/>"
                    "<field name=\"v16_int8\" type=\"v16i8\"/>"
                    "<field name=\"v8_int16\" type=\"v8i16\"/>"
                    "<field name=\"v4_int32\" type=\"v4i32\"/>"
                    "<field name=\"v2_int64\" type=\"v2i64\"/>"
                    "<field name=\"uint128\" type=\"uint128\"/></union>\n");
            }
        }
        g_string_append_printf(x, "<reg name=\"%s\" bitsize=\"%d\" type=\"%s\" regnum=\"%zu\"/>\n",
                               r->name, r->bits, r->type, i);
    }
    g_string_append(x, "</feature>\n</target>\n");
    return g_string_free(x, false);
}

/* ---- packets ---- */

static void gdb_send_raw(GdbServer *s, const char *data, size_t len)
{
    GString *out = g_string_sized_new(len + 4);
    uint8_t csum = 0;

    g_string_append_c(out, '$');
    for (size_t i = 0; i < len; i++) {
        char c = data[i];
        if (c == '$' || c == '#' || c == '}' || c == '*') {
            g_string_append_c(out, '}');
            c ^= 0x20;
            csum += '}';
        }
        g_string_append_c(out, c);
        csum += (uint8_t)c;
    }
    g_string_append_printf(out, "#%02x", csum);
    chardev_write(s->chr, (const uint8_t *)out->str, out->len);
    g_string_free(out, true);
}

static void gdb_send(GdbServer *s, const char *data)
{
    gdb_send_raw(s, data, strlen(data));
}

static void hex_encode(GString *out, const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        g_string_append_printf(out, "%02x", buf[i]);
    }
}

static bool hex_decode(const char *hex, uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        int hi = g_ascii_xdigit_value(hex[2 * i]), lo;
        if (hi < 0 || (lo = g_ascii_xdigit_value(hex[2 * i + 1])) < 0) {
            return false;
        }
        buf[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

static X86CPUState *gdb_env(void)
{
    Machine *m = current_machine;
    if (m->accel && m->accel->sync_state_to_env && m->cpu->cs.thread) {
        m->accel->sync_state_to_env(&m->cpu->cs);
    }
    return &m->cpu->env;
}

static void gdb_state_changed(void)
{
    Machine *m = current_machine;
    if (m->accel && m->accel->sync_env_to_vcpu && m->cpu->cs.thread) {
        m->accel->sync_env_to_vcpu(&m->cpu->cs);
    }
}

static void gdb_stop_reply(GdbServer *s, int sig)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "T%02xthread:01;", sig);
    gdb_send(s, buf);
}

static void cmd_read_regs(GdbServer *s)
{
    const GdbLayout *l = gdb_layout();
    X86CPUState *env = gdb_env();
    GString *out = g_string_new(NULL);
    uint8_t buf[16];

    for (size_t i = 0; i < l->nregs; i++) {
        reg_read(env, &l->regs[i], buf);
        hex_encode(out, buf, l->regs[i].bits / 8);
    }
    gdb_send(s, out->str);
    g_string_free(out, true);
}

static void cmd_write_regs(GdbServer *s, const char *hex)
{
    const GdbLayout *l = gdb_layout();
    X86CPUState *env = gdb_env();
    size_t avail = strlen(hex) / 2;
    uint8_t buf[16];

    for (size_t i = 0; i < l->nregs && avail >= (size_t)l->regs[i].bits / 8; i++) {
        size_t n = l->regs[i].bits / 8;
        if (!hex_decode(hex, buf, n)) {
            gdb_send(s, "E01");
            return;
        }
        reg_write(env, &l->regs[i], buf);
        hex += 2 * n;
        avail -= n;
    }
    gdb_state_changed();
    gdb_send(s, "OK");
}

static void cmd_read_reg(GdbServer *s, const char *arg)
{
    const GdbLayout *l = gdb_layout();
    unsigned long n = strtoul(arg, NULL, 16);
    GString *out;
    uint8_t buf[16];

    if (n >= l->nregs) {
        gdb_send(s, "E01");
        return;
    }
    reg_read(gdb_env(), &l->regs[n], buf);
    out = g_string_new(NULL);
    hex_encode(out, buf, l->regs[n].bits / 8);
    gdb_send(s, out->str);
    g_string_free(out, true);
}

static void cmd_write_reg(GdbServer *s, const char *arg)
{
    const GdbLayout *l = gdb_layout();
    char *eq;
    unsigned long n = strtoul(arg, &eq, 16);
    uint8_t buf[16];

    if (*eq != '=' || n >= l->nregs ||
        strlen(eq + 1) < (size_t)l->regs[n].bits / 4 ||
        !hex_decode(eq + 1, buf, l->regs[n].bits / 8)) {
        gdb_send(s, "E01");
        return;
    }
    reg_write(gdb_env(), &l->regs[n], buf);
    gdb_state_changed();
    gdb_send(s, "OK");
}

/* Parses "ADDR,LEN" and what follows (":" for M and X). */
static bool parse_addr_len(const char *arg, uint64_t *addr, uint64_t *len, const char **rest)
{
    char *end;
    *addr = g_ascii_strtoull(arg, &end, 16);
    if (*end != ',') {
        return false;
    }
    *len = g_ascii_strtoull(end + 1, &end, 16);
    *rest = end;
    return *len <= GDB_MAX_PACKET;
}

static void cmd_read_mem(GdbServer *s, const char *arg)
{
    uint64_t addr, len;
    const char *rest;
    g_autofree uint8_t *buf = NULL;
    GString *out;

    if (!parse_addr_len(arg, &addr, &len, &rest) || len > GDB_MAX_PACKET / 2) {
        gdb_send(s, "E01");
        return;
    }
    buf = g_malloc(len ? len : 1);
    if (x86_debug_rw(gdb_env(), current_machine->mem, addr, buf, len, false) < 0) {
        gdb_send(s, "E14");     /* EFAULT */
        return;
    }
    out = g_string_new(NULL);
    hex_encode(out, buf, len);
    gdb_send(s, out->str);
    g_string_free(out, true);
}

static void cmd_write_mem(GdbServer *s, const char *arg, const char *payload,
                          size_t payload_len, bool binary)
{
    uint64_t addr, len;
    const char *rest;
    g_autofree uint8_t *buf = NULL;

    if (!parse_addr_len(arg, &addr, &len, &rest) || *rest != ':') {
        gdb_send(s, "E01");
        return;
    }
    buf = g_malloc(len ? len : 1);
    if (binary) {
        if (payload_len < len) {
            gdb_send(s, "E01");
            return;
        }
        memcpy(buf, payload, len);
    } else if (strlen(payload) < 2 * len || !hex_decode(payload, buf, len)) {
        gdb_send(s, "E01");
        return;
    }
    if (x86_debug_rw(gdb_env(), current_machine->mem, addr, buf, len, true) < 0) {
        gdb_send(s, "E14");
        return;
    }
    gdb_send(s, "OK");
}

static void cmd_breakpoint(GdbServer *s, const char *arg, bool insert)
{
    char *end;
    unsigned long type = strtoul(arg, &end, 16);
    uint64_t addr, len;
    CPUState *cs = &current_machine->cpu->cs;
    int ret;

    if (*end != ',' || type > BP_WATCH_ACCESS) {
        gdb_send(s, "E01");
        return;
    }
    addr = g_ascii_strtoull(end + 1, &end, 16);
    if (*end != ',') {
        gdb_send(s, "E01");
        return;
    }
    len = g_ascii_strtoull(end + 1, NULL, 16);
    ret = insert ? cpu_breakpoint_insert(cs, (int)type, addr, len)
                 : cpu_breakpoint_remove(cs, (int)type, addr, len);
    if (ret < 0) {
        gdb_send(s, insert ? "" : "E01");   /* "": this kind is not supported */
        return;
    }
    gdb_send(s, "OK");
}

static void gdb_resume(GdbServer *s, bool step)
{
    CPUState *cs = &current_machine->cpu->cs;

    cpu_set_single_step(cs, step);
    s->stepping = step;
    s->waiting_stop = true;
    vm_cont(current_machine);
}

/* "c", "s", "vCont;c", "vCont;s:1" ... optionally with an address to resume at. */
static void cmd_continue(GdbServer *s, const char *arg, bool step)
{
    if (*arg) {
        X86CPUState *env = gdb_env();
        env->rip = g_ascii_strtoull(arg, NULL, 16);
        gdb_state_changed();
    }
    gdb_resume(s, step);
}

static void cmd_vcont(GdbServer *s, const char *arg)
{
    if (strcmp(arg, "?") == 0) {
        gdb_send(s, "vCont;c;C;s;S");
        return;
    }
    if (*arg != ';') {
        gdb_send(s, "");
        return;
    }
    /* One vCPU: the first action decides. */
    if (arg[1] == 's' || arg[1] == 'S') {
        gdb_resume(s, true);
    } else if (arg[1] == 'c' || arg[1] == 'C') {
        gdb_resume(s, false);
    } else {
        gdb_send(s, "");
    }
}

static void cmd_query(GdbServer *s, const char *q)
{
    if (g_str_has_prefix(q, "Supported")) {
        char buf[96];
        snprintf(buf, sizeof(buf), "PacketSize=%x;qXfer:features:read+;QStartNoAckMode+;vContSupported+",
                 GDB_MAX_PACKET);
        gdb_send(s, buf);
    } else if (g_str_has_prefix(q, "Xfer:features:read:target.xml:")) {
        g_autofree char *xml = target_xml();
        unsigned long off = 0, len = 0;
        size_t total = strlen(xml);
        sscanf(q + strlen("Xfer:features:read:target.xml:"), "%lx,%lx", &off, &len);
        if (off >= total) {
            gdb_send(s, "l");
        } else {
            size_t n = MIN(len, total - off);
            g_autofree char *reply = g_malloc(n + 2);
            reply[0] = off + n >= total ? 'l' : 'm';
            memcpy(reply + 1, xml + off, n);
            gdb_send_raw(s, reply, n + 1);
        }
    } else if (strcmp(q, "Attached") == 0) {
        gdb_send(s, "1");
    } else if (strcmp(q, "Offsets") == 0) {
        gdb_send(s, "Text=0;Data=0;Bss=0");
    } else if (strcmp(q, "C") == 0) {
        gdb_send(s, "QC1");
    } else if (strcmp(q, "fThreadInfo") == 0) {
        gdb_send(s, "m1");
    } else if (strcmp(q, "sThreadInfo") == 0) {
        gdb_send(s, "l");
    } else if (g_str_has_prefix(q, "ThreadExtraInfo")) {
        GString *out = g_string_new(NULL);
        const char *info = "CPU#0";
        hex_encode(out, (const uint8_t *)info, strlen(info));
        gdb_send(s, out->str);
        g_string_free(out, true);
    } else {
        gdb_send(s, "");
    }
}

static void gdb_detach(GdbServer *s)
{
    CPUState *cs = &current_machine->cpu->cs;
    cpu_breakpoint_remove_all(cs);
    cpu_set_single_step(cs, false);
    s->attached = false;
    s->waiting_stop = false;
    vm_cont(current_machine);
}

/* Handles one packet's payload. */
static void gdb_handle(GdbServer *s, const char *p, size_t len)
{
    const char *arg = p + 1;

    s->attached = true;
    switch (p[0]) {
    case '?': gdb_stop_reply(s, 5); break;
    case 'g': cmd_read_regs(s); break;
    case 'G': cmd_write_regs(s, arg); break;
    case 'p': cmd_read_reg(s, arg); break;
    case 'P': cmd_write_reg(s, arg); break;
    case 'm': cmd_read_mem(s, arg); break;
    case 'M': cmd_write_mem(s, arg, strchr(p, ':') ? strchr(p, ':') + 1 : "", 0, false); break;
    case 'X': {
        const char *colon = memchr(p, ':', len);
        cmd_write_mem(s, arg, colon ? colon + 1 : "", colon ? len - (colon + 1 - p) : 0, true);
        break;
    }
    case 'Z': cmd_breakpoint(s, arg, true); break;
    case 'z': cmd_breakpoint(s, arg, false); break;
    case 'c': cmd_continue(s, arg, false); break;
    case 's': cmd_continue(s, arg, true); break;
    case 'H': case 'T': gdb_send(s, "OK"); break;
    case 'D': gdb_send(s, "OK"); gdb_detach(s); break;
    case 'k': runstate_request_shutdown_reason(SHUTDOWN_HOST_QUIT, 0, "host-qmp-quit"); break;
    case 'q': cmd_query(s, arg); break;
    case 'Q':
        if (strcmp(arg, "StartNoAckMode") == 0) {
            gdb_send(s, "OK");
            s->no_ack = true;
        } else {
            gdb_send(s, "");
        }
        break;
    case 'v':
        if (g_str_has_prefix(arg, "Cont")) {
            cmd_vcont(s, arg + 4);
        } else if (g_str_has_prefix(arg, "MustReplyEmpty")) {
            gdb_send(s, "");
        } else if (g_str_has_prefix(arg, "Kill")) {
            gdb_send(s, "OK");
            runstate_request_shutdown_reason(SHUTDOWN_HOST_QUIT, 0, "host-qmp-quit");
        } else {
            gdb_send(s, "");
        }
        break;
    default:
        gdb_send(s, "");
    }
}

/* Ctrl-C from gdb: stop the guest and report SIGINT. */
static void gdb_interrupt(GdbServer *s)
{
    if (runstate_get() == RUN_STATE_RUNNING) {
        vm_stop(current_machine);
    }
    s->waiting_stop = false;
    gdb_stop_reply(s, 2);
}

static void gdb_packet_done(GdbServer *s)
{
    unsigned got = (unsigned)strtoul(s->csum_hex, NULL, 16);

    if (got != s->csum) {
        if (!s->no_ack) {
            chardev_puts(s->chr, "-");
        }
        log_mask(LOG_GUEST_ERRORS, "gdbstub: bad checksum %02x, expected %02x\n", got, s->csum);
        return;
    }
    if (!s->no_ack) {
        chardev_puts(s->chr, "+");
    }
    if (s->pkt->len > 0) {
        gdb_handle(s, s->pkt->str, s->pkt->len);
    }
}

static void gdb_feed(GdbServer *s, uint8_t c)
{
    switch (s->rx) {
    case RX_IDLE:
        if (c == '$') {
            g_string_truncate(s->pkt, 0);
            s->csum = 0;
            s->rx = RX_DATA;
        } else if (c == 0x03) {
            gdb_interrupt(s);
        }
        break;               /* '+' / '-' acks and noise are ignored */
    case RX_DATA:
        if (c == '#') {
            s->rx = RX_CSUM1;
        } else if (s->pkt->len >= GDB_MAX_PACKET) {
            s->rx = RX_IDLE;   /* oversized: drop it, gdb will retry */
        } else {
            s->csum += c;
            g_string_append_c(s->pkt, c);
        }
        break;
    case RX_CSUM1:
        s->csum_hex[0] = c;
        s->rx = RX_CSUM2;
        break;
    case RX_CSUM2:
        s->csum_hex[1] = c;
        s->csum_hex[2] = '\0';
        s->rx = RX_IDLE;
        gdb_packet_done(s);
        break;
    }
}

static int gdb_can_receive(void *opaque)
{
    return 4096;
}

static void gdb_receive(void *opaque, const uint8_t *buf, int len)
{
    GdbServer *s = opaque;
    for (int i = 0; i < len; i++) {
        gdb_feed(s, buf[i]);
    }
}

static void gdb_event(void *opaque, CharEvent ev)
{
    GdbServer *s = opaque;
    s->rx = RX_IDLE;
    s->no_ack = false;
    if (ev == CHR_EVENT_OPENED) {
        /* gdb expects the target stopped when it attaches. */
        if (current_machine && runstate_get() == RUN_STATE_RUNNING) {
            vm_stop(current_machine);
        }
    } else if (ev == CHR_EVENT_CLOSED && s->attached) {
        gdb_detach(s);
    }
}

static const CharFrontendOps gdb_ops = {
    .can_receive = gdb_can_receive,
    .receive = gdb_receive,
    .event = gdb_event,
};

/* The vCPU stopped for the debugger (breakpoint, watchpoint, step). */
static void gdb_debug_stop(CPUState *cs)
{
    GdbServer *s = gdb_server;
    if (!s || !s->waiting_stop) {
        return;
    }
    s->waiting_stop = false;
    if (s->stepping) {
        cpu_set_single_step(cs, false);
        s->stepping = false;
    }
    gdb_stop_reply(s, 5);
}

/* "tcp::1234" / "tcp:HOST:PORT" / "unix:PATH" -> a listening chardev spec. */
static char *gdb_chardev_spec(const char *spec, GError **errp)
{
    if (g_str_has_prefix(spec, "tcp:") || g_str_has_prefix(spec, "unix:")) {
        return g_strdup_printf("%s,server,nowait", spec);
    }
    if (g_ascii_isdigit(spec[0])) {
        return g_strdup_printf("tcp::%s,server,nowait", spec);
    }
    error_setg(errp, "-gdb %s: use tcp::PORT, tcp:HOST:PORT or unix:PATH", spec);
    return NULL;
}

GdbServer *gdbstub_new(Chardev *chr, GError **errp)
{
    GdbServer *s;

    if (gdb_server) {
        error_setg(errp, "gdbserver: already listening");
        return NULL;
    }
    s = g_new0(GdbServer, 1);
    s->chr = chr;
    s->pkt = g_string_new(NULL);
    if (chardev_set_frontend(chr, &gdb_ops, s) < 0) {
        error_setg(errp, "gdbserver: the character device is already in use");
        g_string_free(s->pkt, true);
        g_free(s);
        return NULL;
    }
    gdb_server = s;
    cpus_set_debug_handler(gdb_debug_stop);
    return s;
}

GdbServer *gdbstub_start(const char *spec, GError **errp)
{
    g_autofree char *cspec = NULL;
    Chardev *chr;
    GdbServer *s;

    if (gdb_server) {
        error_setg(errp, "gdbserver: already listening");
        return NULL;
    }
    cspec = gdb_chardev_spec(spec, errp);
    if (!cspec || !(chr = chardev_new(cspec, errp))) {
        return NULL;
    }
    s = gdbstub_new(chr, errp);
    if (!s) {
        chardev_free(chr);
    }
    return s;
}

void gdbstub_feed(GdbServer *s, const char *bytes, size_t len)
{
    gdb_receive(s, (const uint8_t *)bytes, (int)len);
}
