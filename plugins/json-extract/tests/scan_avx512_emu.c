/*
 * scan_avx512.c compiled on emu512.h's portable AVX-512 intrinsics: the
 * levels "avx512-emu" (VBMI2) and "avx512bw-emu" of the test programs,
 * which run on any CPU with AVX2 (scanner.c lists them when built with
 * JX_EMULATED_LEVELS). Why: emu512.h.
 */
#include "emu512.h"

#define jx_scan_avx512bw jx_scan_avx512bw_emu
#define jx_scan_avx512v jx_scan_avx512v_emu
#include "../scan_avx512.c"
