/*
 * tcg-opc.h: the one table of TCG IR opcodes. Every other list of ops (the
 * enum, the op definitions, the text dump names, the optimizer, both
 * backends) is generated from or checked against this X-macro. docs/tcg-ir.md
 * describes the semantics of each row.
 *
 * DEF(name, nb_oargs, nb_iargs, nb_cargs, flags)
 *   outputs come first in an op's argument list, then inputs, then
 *   constant arguments (immediates: bit positions, conditions, labels...).
 */

/* Pseudo ops and control flow. */
DEF(nop, 0, 0, 0, TCG_OPF_NOT_PRESENT)
DEF(discard, 1, 0, 0, TCG_OPF_NOT_PRESENT)
DEF(set_label, 0, 0, 1, TCG_OPF_BB_END | TCG_OPF_NOT_PRESENT)
DEF(br, 0, 0, 1, TCG_OPF_BB_END)
DEF(insn_start, 0, 0, TCG_INSN_START_WORDS, TCG_OPF_NOT_PRESENT)
DEF(mb, 0, 0, 1, TCG_OPF_SIDE_EFFECTS)
DEF(call, 0, 0, 2, TCG_OPF_CALL_CLOBBER)
DEF(exit_tb, 0, 0, 1, TCG_OPF_BB_EXIT | TCG_OPF_BB_END)
DEF(goto_tb, 0, 0, 1, TCG_OPF_BB_EXIT | TCG_OPF_BB_END)
DEF(goto_ptr, 0, 1, 0, TCG_OPF_BB_EXIT | TCG_OPF_BB_END)

/* Guest memory through the softmmu TLB: value, address (i64), memop|mmu. */
DEF(qemu_ld_i32, 1, 1, 1, TCG_OPF_CALL_CLOBBER | TCG_OPF_SIDE_EFFECTS)
DEF(qemu_st_i32, 0, 2, 1, TCG_OPF_CALL_CLOBBER | TCG_OPF_SIDE_EFFECTS)
DEF(qemu_ld_i64, 1, 1, 1, TCG_OPF_CALL_CLOBBER | TCG_OPF_SIDE_EFFECTS | TCG_OPF_64BIT)
DEF(qemu_st_i64, 0, 2, 1, TCG_OPF_CALL_CLOBBER | TCG_OPF_SIDE_EFFECTS | TCG_OPF_64BIT)

/* Conversions between the two widths. */
DEF(ext_i32_i64, 1, 1, 0, TCG_OPF_64BIT)
DEF(extu_i32_i64, 1, 1, 0, TCG_OPF_64BIT)
DEF(extrl_i64_i32, 1, 1, 0, 0)
DEF(extrh_i64_i32, 1, 1, 0, 0)

/*
 * The same list for each width. W is the width suffix, F the extra flags.
 * Ops that exist only for i64 follow the shared list.
 */
#define TCG_DEF_INT_OPS(W, F) \
DEF(mov_##W, 1, 1, 0, F) \
DEF(add_##W, 1, 2, 0, F) \
DEF(sub_##W, 1, 2, 0, F) \
DEF(neg_##W, 1, 1, 0, F) \
DEF(mul_##W, 1, 2, 0, F) \
DEF(mulu2_##W, 2, 2, 0, F) \
DEF(muls2_##W, 2, 2, 0, F) \
DEF(add2_##W, 2, 4, 0, F) \
DEF(sub2_##W, 2, 4, 0, F) \
DEF(and_##W, 1, 2, 0, F) \
DEF(or_##W, 1, 2, 0, F) \
DEF(xor_##W, 1, 2, 0, F) \
DEF(not_##W, 1, 1, 0, F) \
DEF(andc_##W, 1, 2, 0, F) \
DEF(orc_##W, 1, 2, 0, F) \
DEF(shl_##W, 1, 2, 0, F) \
DEF(shr_##W, 1, 2, 0, F) \
DEF(sar_##W, 1, 2, 0, F) \
DEF(rotl_##W, 1, 2, 0, F) \
DEF(rotr_##W, 1, 2, 0, F) \
DEF(ext8s_##W, 1, 1, 0, F) \
DEF(ext8u_##W, 1, 1, 0, F) \
DEF(ext16s_##W, 1, 1, 0, F) \
DEF(ext16u_##W, 1, 1, 0, F) \
DEF(bswap16_##W, 1, 1, 0, F) \
DEF(bswap32_##W, 1, 1, 0, F) \
DEF(deposit_##W, 1, 2, 2, F) \
DEF(extract_##W, 1, 1, 2, F) \
DEF(sextract_##W, 1, 1, 2, F) \
DEF(clz_##W, 1, 2, 0, F) \
DEF(ctz_##W, 1, 2, 0, F) \
DEF(ctpop_##W, 1, 1, 0, F) \
DEF(setcond_##W, 1, 2, 1, F) \
DEF(movcond_##W, 1, 4, 1, F) \
DEF(brcond_##W, 0, 2, 2, TCG_OPF_BB_END | F) \
DEF(ld8u_##W, 1, 1, 1, F) \
DEF(ld8s_##W, 1, 1, 1, F) \
DEF(ld16u_##W, 1, 1, 1, F) \
DEF(ld16s_##W, 1, 1, 1, F) \
DEF(ld_##W, 1, 1, 1, F) \
DEF(st8_##W, 0, 2, 1, TCG_OPF_SIDE_EFFECTS | F) \
DEF(st16_##W, 0, 2, 1, TCG_OPF_SIDE_EFFECTS | F) \
DEF(st_##W, 0, 2, 1, TCG_OPF_SIDE_EFFECTS | F)

TCG_DEF_INT_OPS(i32, 0)
TCG_DEF_INT_OPS(i64, TCG_OPF_64BIT)
#undef TCG_DEF_INT_OPS

DEF(ext32s_i64, 1, 1, 0, TCG_OPF_64BIT)
DEF(ext32u_i64, 1, 1, 0, TCG_OPF_64BIT)
DEF(bswap64_i64, 1, 1, 0, TCG_OPF_64BIT)
DEF(ld32u_i64, 1, 1, 1, TCG_OPF_64BIT)
DEF(ld32s_i64, 1, 1, 1, TCG_OPF_64BIT)
DEF(st32_i64, 0, 2, 1, TCG_OPF_SIDE_EFFECTS | TCG_OPF_64BIT)
