#!/usr/bin/env python3
"""shim_check.py - emitter/rt_shim.inc repeats declarations of rt/kcut_rt.h for kernel builds (the
emitted halves compile there without the C library headers kcut_rt.h includes). The structs both
halves and kcut_rt.ko share must not drift: for every struct the shim defines, its members (types
and names, comments and spacing ignored) must be those of kcut_rt.h, in the same order; every
kc_wire_* function the shim declares must be declared in kcut_rt.h with the same parameters.

Usage: shim_check.py SRCDIR   (exit 1 on a difference, naming the struct or function)
"""
import re
import sys


def strip(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


ALIAS = {"u8": "uint8_t", "u16": "uint16_t", "u32": "uint32_t", "u64": "uint64_t", "s32": "int32_t",
         "s64": "int64_t"}


def norm(s):
    s = re.sub(r"\b(u8|u16|u32|u64|s32|s64)\b", lambda m: ALIAS[m.group(1)], s)
    return re.sub(r"\s+", " ", s).replace(" *", "*").replace("* ", "*").strip()


def structs(text):
    out = {}
    for m in re.finditer(r"\bstruct\s+(\w+)\s*\{(.*?)\};", text, flags=re.S):
        out[m.group(1)] = [norm(x) for x in m.group(2).split(";") if x.strip()]
    return out


def protos(text):
    out = {}
    for m in re.finditer(r"^[\w\s\*]*?\b(kc_wire_\w+)\s*\(([^;{]*?)\)\s*;", text, flags=re.M | re.S):
        out[m.group(1)] = norm(m.group(0))
    return out


def main():
    src = sys.argv[1]
    hdr = strip(open(src + "/rt/kcut_rt.h").read())
    shim = strip(open(src + "/emitter/rt_shim.inc").read())
    hs, ss = structs(hdr), structs(shim)
    fails = 0
    for name, members in ss.items():
        if name not in hs:
            continue  # shim-only helper structs
        if members != hs[name]:
            fails += 1
            print("FAIL struct %s differs:\n  kcut_rt.h:   %s\n  rt_shim.inc: %s" % (name, hs[name], members))
    hp, sp = protos(hdr), protos(shim)
    for name, p in sp.items():
        if name not in hp:
            fails += 1
            print("FAIL %s declared in rt_shim.inc but not in kcut_rt.h" % name)
        elif hp[name] != p:
            fails += 1
            print("FAIL %s:\n  kcut_rt.h:   %s\n  rt_shim.inc: %s" % (name, hp[name], p))
    print("%d structs, %d kc_wire functions compared; %d differences" % (len(ss), len(sp), fails))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
