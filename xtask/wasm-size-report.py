#!/usr/bin/env python3
"""Where a Wasm file's bytes are: function body sizes summed by crate (or module path) from the
name section, the largest functions, and the size of each section.

    python3 xtask/wasm-size-report.py FILE.wasm [--depth N] [--filter REGEX] [--top N]

FILE must still have its names: target/wasm32-unknown-unknown/release/<crate>.wasm (before
wasm-opt inlines), or that file through wasm-bindgen and `wasm-opt -Oz -g` (as served, names
kept). Names are demangled roughly (legacy and v0), enough to group them. No dependencies.
"""
import argparse, re, collections

def leb(b, i):
    r = s = 0
    while True:
        x = b[i]; i += 1
        r |= (x & 0x7f) << s; s += 7
        if x < 0x80: return r, i

def demangle_v0(n):
    # Rough: the crate of the first crate root, then the identifiers that follow.
    m = re.search(r'C(?:s[0-9a-zA-Z]*_)?(\d+)', n)
    if not m: return n
    l = int(m.group(1)); crate = n[m.end():m.end()+l]
    rest = n[m.end()+l:]
    ids = []
    j = 0
    while j < len(rest):
        mm = re.match(r'(\d+)', rest[j:])
        if mm:
            L = int(mm.group(1)); s = rest[j+len(mm.group(1)):j+len(mm.group(1))+L]
            if re.fullmatch(r'[A-Za-z_][A-Za-z0-9_]*', s or '-'):
                ids.append(s); j += len(mm.group(1)) + L; continue
        j += 1
    return crate + '::' + '::'.join(ids)

def demangle_legacy(n):
    if n.startswith('_R'): return demangle_v0(n)
    if not n.startswith('_ZN'): return n
    i = 3; parts = []
    while i < len(n) and n[i] != 'E':
        m = re.match(r'\d+', n[i:])
        if not m: return n
        l = int(m.group()); i += len(m.group())
        parts.append(n[i:i+l]); i += l
    if parts and re.fullmatch(r'h[0-9a-f]{16}', parts[-1]): parts.pop()
    s = '::'.join(parts)
    for a, b in [('$LT$', '<'), ('$GT$', '>'), ('$RF$', '&'), ('$BP$', '*'), ('$u20$', ' '), ('$u27$', "'"),
                 ('$u5b$', '['), ('$u5d$', ']'), ('$u7b$', '{'), ('$u7d$', '}'), ('$u3b$', ';'), ('$u2b$', '+'),
                 ('$u22$', '"'), ('$LP$', '('), ('$RP$', ')'), ('$C$', ','), ('..', '::'), ('$u7e$', '~'), ('$u21$', '!')]:
        s = s.replace(a, b)
    if s.startswith('_<'): s = s[1:]
    return s

def parse(path):
    b = open(path, 'rb').read()
    i = 8; nimp = 0; bodies = []; names = {}; sections = collections.Counter(); data = []
    while i < len(b):
        sid = b[i]; i += 1
        size, i = leb(b, i); end = i + size
        if sid == 0:
            nl, j = leb(b, i); nm = b[j:j+nl].decode(); j += nl
            sections['custom:' + nm] += size
            if nm == 'name':
                while j < end:
                    sub = b[j]; j += 1
                    sl, j = leb(b, j); se = j + sl
                    if sub == 1:
                        cnt, j = leb(b, j)
                        for _ in range(cnt):
                            idx, j = leb(b, j); l, j = leb(b, j)
                            names[idx] = b[j:j+l].decode('utf8', 'replace'); j += l
                    j = se
        else:
            sections[sid] += size
            if sid == 2:
                cnt, j = leb(b, i)
                for _ in range(cnt):
                    l, j = leb(b, j); j += l; l, j = leb(b, j); j += l
                    kind = b[j]; j += 1
                    if kind == 0: _, j = leb(b, j); nimp += 1
                    elif kind == 1: j += 1; fl = b[j]; j += 1; _, j = leb(b, j); j = leb(b, j)[1] if fl & 1 else j
                    elif kind == 2: fl = b[j]; j += 1; _, j = leb(b, j); j = leb(b, j)[1] if fl & 1 else j
                    elif kind == 3: j += 2
            if sid == 10:
                cnt, j = leb(b, i)
                for k in range(cnt):
                    l, j2 = leb(b, j); bodies.append(j2 - j + l); j = j2 + l
            if sid == 11:
                data.append(size)
        i = end
    return nimp, bodies, names, sections

def crate_of(name, depth):
    n = name
    # <A as B>::f  -> attribute to A's crate unless A is a primitive/generic, then B
    m = re.match(r'<(.+?) as (.+?)>::', n)
    if m:
        a, t = m.group(1), m.group(2)
        a = a.lstrip('&*').replace('mut ', '').replace('const ', '')
        n = a if '::' in a.split('<')[0] else t
    n = n.lstrip('<&*')
    parts = re.split(r'::', n.split('<')[0])
    return '::'.join(parts[:depth])

def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('wasm')
    parser.add_argument('--depth', type=int, default=1, help='path segments to group by (1: crate)')
    parser.add_argument('--filter', default=None, help='only functions whose demangled name matches')
    parser.add_argument('--top', type=int, default=40, help='how many groups and functions to list')
    args = parser.parse_args()
    nimp, bodies, names, sections = parse(args.wasm)
    ids = {1: 'type', 2: 'import', 3: 'function', 4: 'table', 5: 'memory', 6: 'global', 7: 'export',
           9: 'element', 10: 'code', 11: 'data', 12: 'datacount'}
    for key, size in sections.items():
        print(f'{size:8d}  section {ids.get(key, key)}')
    total = sum(bodies)
    print(f'{total:8d}  in {len(bodies)} function bodies')
    groups = collections.Counter(); counts = collections.Counter(); listed = []
    for k, size in enumerate(bodies):
        name = demangle_legacy(names.get(nimp + k, f'?{k}'))
        if args.filter and not re.search(args.filter, name):
            continue
        group = crate_of(name, args.depth)
        groups[group] += size; counts[group] += 1; listed.append((size, name))
    print('--- by crate / path')
    for group, size in groups.most_common(args.top):
        print(f'{size:8d} {100 * size / max(total, 1):5.1f}% {counts[group]:5d}  {group}')
    print('--- largest functions')
    for size, name in sorted(listed, reverse=True)[:args.top]:
        print(f'{size:8d}  {name[:200]}')


if __name__ == '__main__':
    main()
