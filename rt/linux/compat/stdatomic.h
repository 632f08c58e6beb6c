/* rt/linux/compat: not provided: rt's channel code (chan.c, rt.c) is not built into the kernel. */
#error "rt/linux: stdatomic.h is not available in the kernel build"
