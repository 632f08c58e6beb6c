#!/usr/bin/env python3
"""shim_check.py - emitter/rt_shim.inc declares, for kernel builds, the part of rt/kcut_rt.h (and
common/kc_common.h) the emitted halves use: kcut emit copies it verbatim into every emitted tree
as include/kcut_rt_shim.h, the one header a Linux kernel half includes for rt's API (kcut_rt.h
itself needs the C library and kcut's user-space helpers, which a kernel build does not have;
kcut_rt.ko compiles it only through rt/linux/compat). The copy must not drift from the real header.
Compared, comments and spacing ignored, u8..s64 taken as uint8_t..int64_t:

  structs    every struct the shim defines that kcut_rt.h / kc_common.h defines: same members
             (types and names) in the same order;
  functions  every function the shim declares (kc_*): declared in kcut_rt.h with the same return
             type and parameters (a static inline one in kcut_rt.h counts, the shim may declare it
             as a function: kcut_rt.ko defines it, rt/linux/xdr_inline.c);
  constants  every enumerator and #define the shim gives a value: the same value there.

Usage: shim_check.py SRCDIR [SHIM]   (SHIM: another copy to check instead of emitter/rt_shim.inc;
exit 1 on a difference, naming the struct, function or constant)
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
    s = re.sub(r"\bunsigned int\b", "unsigned", s)
    s = re.sub(r"__attribute__\s*\(\(.*?\)\)", " ", s)
    return re.sub(r"\s+", " ", s).replace(" *", "*").replace("* ", "*").replace("( ", "(").replace(" )", ")").strip()


def structs(text):
    out = {}
    for m in re.finditer(r"\bstruct\s+(\w+)\s*\{(.*?)\};", text, flags=re.S):
        out[m.group(1)] = [norm(x) for x in m.group(2).split(";") if x.strip()]
    return out


def protos(text):
    """{name: 'ret name(params)'} of every kc_* function declared or defined (static inline) at
    file scope."""
    out = {}
    for m in re.finditer(r"^(?:static\s+inline\s+)?([A-Za-z_][\w\s\*]*?)\b(kc_\w+)\s*\(([^;{)]*(?:\([^)]*\)[^;{)]*)*)\)\s*[;{]",
                         text, flags=re.M | re.S):
        ret = norm(m.group(1))
        if ret in ("", "return", "typedef", "else") or ret.startswith("struct") and ret.endswith("{"):
            continue
        out[m.group(2)] = norm("%s %s(%s)" % (ret, m.group(2), m.group(3)))
    return out


def constants(text):
    """{name: value} of enumerators with an explicit value and object-like #defines."""
    out = {}
    for m in re.finditer(r"\benum\b[^{;]*\{(.*?)\}", text, flags=re.S):
        for item in m.group(1).split(","):
            if "=" in item:
                k, v = item.split("=", 1)
                out[k.strip()] = norm(v)
    for m in re.finditer(r"^#define\s+(\w+)[ \t]+([^\n]+)$", text, flags=re.M):
        out[m.group(1)] = norm(m.group(2))
    return out


def typedefs(text):
    """{name: normalised text} of typedefs."""
    out = {}
    for m in re.finditer(r"\btypedef\b([^;{]*?)\(\s*\*\s*(\w+)\s*\)([^;]*);", text):
        out[m.group(2)] = norm(m.group(0))
    for m in re.finditer(r"\btypedef\b[^;{(]*?\b(\w+)\s*;", text):
        out.setdefault(m.group(1), norm(m.group(0)))
    return out


def check(hdr, shim, quiet=False):
    """The number of differences between the shim's text and the real headers' (both stripped)."""
    say = (lambda *a: None) if quiet else print
    fails = 0
    hs, ss = structs(hdr), structs(shim)
    nst = 0
    for name, members in ss.items():
        if name not in hs:
            continue  # shim-only helper structs (none today)
        nst += 1
        if members != hs[name]:
            fails += 1
            say("FAIL struct %s differs:\n  kcut_rt.h:   %s\n  rt_shim.inc: %s" % (name, hs[name], members))
    hp, sp = protos(hdr), protos(shim)
    for name, p in sorted(sp.items()):
        if name not in hp:
            fails += 1
            say("FAIL %s declared in rt_shim.inc but not in kcut_rt.h" % name)
        elif hp[name] != p:
            fails += 1
            say("FAIL %s:\n  kcut_rt.h:   %s\n  rt_shim.inc: %s" % (name, hp[name], p))
    hc, sc = constants(hdr), constants(shim)
    ncon = 0
    for name, v in sorted(sc.items()):
        if name in ("KCUT_RT_SHIM_H",):
            continue
        ncon += 1
        if name not in hc:
            fails += 1
            say("FAIL constant %s in rt_shim.inc but not in kcut_rt.h / kc_common.h" % name)
        elif hc[name] != v:
            fails += 1
            say("FAIL constant %s: kcut_rt.h %s, rt_shim.inc %s" % (name, hc[name], v))
    ht, st = typedefs(hdr), typedefs(shim)
    for name, t in sorted(st.items()):
        if name not in ht:
            fails += 1
            say("FAIL typedef %s in rt_shim.inc but not in kcut_rt.h" % name)
        elif ht[name] != t:
            fails += 1
            say("FAIL typedef %s:\n  kcut_rt.h:   %s\n  rt_shim.inc: %s" % (name, ht[name], t))
    say("%d structs, %d functions, %d constants, %d typedefs compared; %d differences"
        % (nst, len(sp), ncon, len(st), fails))
    return fails


# Drifts the check must see (each applied to the shim alone): a member's type, a parameter's type, an
# enumerator's value, a flag's value, a typedef's parameters, a member added.
MUTATIONS = [
    ("struct kc_wire_embed {\n\tuint32_t outer, inner;", "struct kc_wire_embed {\n\tuint64_t outer, inner;"),
    ("int kc_wire_bit_check(int64_t nr, size_t avail);", "int kc_wire_bit_check(int32_t nr, size_t avail);"),
    ("KC_RT_ENULL = -28", "KC_RT_ENULL = -29"),
    ("#define KC_WP_OUT 0x20u", "#define KC_WP_OUT 0x40u"),
    ("typedef void (*kc_wire_redo_fn)(const uint64_t *v);", "typedef void (*kc_wire_redo_fn)(uint64_t *v);"),
    ("\tconst struct kc_rt_plat *plat;\n};", "\tconst struct kc_rt_plat *plat;\n\tint extra;\n};"),
]


def main():
    src = sys.argv[1]
    shim_path = sys.argv[2] if len(sys.argv) > 2 else src + "/emitter/rt_shim.inc"
    hdr = strip(open(src + "/rt/kcut_rt.h").read()) + "\n" + strip(open(src + "/common/kc_common.h").read())
    raw = open(shim_path).read()
    fails = check(hdr, strip(raw))
    # the check itself: each drift above must be reported (else this test could not fail)
    for old, new in MUTATIONS:
        if old not in raw:
            fails += 1
            print("FAIL self-test: %r is not in the shim any more (update MUTATIONS)" % old)
        elif not check(hdr, strip(raw.replace(old, new)), quiet=True):
            fails += 1
            print("FAIL self-test: the drift %r -> %r is not reported" % (old, new))
    if not fails:
        print("self-test: %d drifts of the shim, each reported" % len(MUTATIONS))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
