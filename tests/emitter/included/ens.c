/*
 * ens.c - a driver whose only translation unit #includes another .c file, as Linux's ens1371.c
 * (`#define CHIP1371` + `#include "ens1370.c"`): every function is in chip.c. The emitter puts the
 * rewritten chip.c in place of the #include line (docs/emitter.md, "Rewriting a translation
 * unit"), so chip_calc gets its stub in the kernel half and its handler in the user half.
 */
#define CHIP_B
#include "chip.c"
