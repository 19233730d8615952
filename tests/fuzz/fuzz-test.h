/*
 * fuzz-test.h: what the fuzzer's cmocka tests share (test-x86-fuzz-gen.c,
 * test-x86-fuzz-tcg.c): the long-run switch (tests/unit/test-util.h) and
 * the record of modes this host cannot run natively, printed as SKIP
 * lines at the end. Include after cmocka.h and native-exec.c.
 */
#ifndef TESTS_FUZZ_FUZZ_TEST_H
#define TESTS_FUZZ_FUZZ_TEST_H

#include "tests/unit/test-util.h"

/* "SKIP N-bit mode: why" lines, one per missing mode; main prints them. */
static GString *missing;

/* Sets up the native executor: true when the host can run mode natively,
 * otherwise records why in missing and returns false. */
static bool init_mode(NativeMode mode)
{
    g_autoptr(GError) err = NULL;
    const char *why;

    if (native_exec_init(&err) < 0) {
        fail_msg("%s", err->message);
    }
    if (!native_mode_available(mode, &why)) {
        g_autofree char *line = g_strdup_printf("SKIP %d-bit mode: %s\n",
                                                mode, why);

        if (!strstr(missing->str, line)) {
            g_string_append(missing, line);
        }
        return false;
    }
    return true;
}

#endif
