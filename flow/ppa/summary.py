# SPDX-License-Identifier: Apache-2.0
"""The run at a glance: one table of area, delay, throughput per area and energy per pair,
and the paper's claims beside this run's figures (``make ppa``, ``docs/ppa.md``)."""

from __future__ import annotations

from flow.ppa.report import group, label, macs_of, order_key, shape_rows


def _fmt(v: float | None, spec: str) -> str:
    return "-" if v is None else format(v, spec)


def _div(a: float | None, b: float | None) -> float | None:
    return a / b if a and b else None


def _first_energy(r: dict | None) -> float | None:
    e = (r or {}).get("energy") or {}
    return next(iter(e.values()))["energy_per_mac"] if e else None


def render_summary(doc: dict) -> str:
    """Area, delay, throughput per area and energy of every pair in one table, each beside
    its ratio to the MAC reference of the same format ('' without pairs)."""
    rows, meta = doc["rows"], doc["meta"]
    if not rows:
        return ""
    ref_b = meta.get("mac_ref", 0)
    profile = next(iter(meta.get("energy_profiles") or []), None)
    mac = macs_of(rows)
    out = [
        "| W x A | core | transistors per MAC/cycle | um2 per MAC/cycle "
        f"| vs MAC W{ref_b} (um2) | gate levels | critical path ns | GMAC/s per mm2 "
        f"| vs MAC W{ref_b} (GMAC/s per mm2) | energy per MAC ({profile or 'none'}) "
        f"| vs MAC W{ref_b} (energy) |",
        "|---|---|" + "---:|" * 9,
    ]
    for r in sorted(rows, key=order_key):
        ref = mac.get((ref_b, *group(r)))
        cells = [
            label(r),
            r["core"],
            f"{r['transistors_per_mac']:,.0f}",
            _fmt(r.get("area_um2_per_mac"), ",.0f"),
            _fmt(_div(r.get("area_um2_per_mac"), (ref or {}).get("area_um2_per_mac")), ".2f"),
            _fmt(r.get("gate_levels"), "d"),
            _fmt(r.get("delay_ns"), ".2f"),
            _fmt(r.get("gmacs_per_mm2"), ".1f"),
            _fmt(_div(r.get("gmacs_per_mm2"), (ref or {}).get("gmacs_per_mm2")), ".2f"),
            _fmt(_first_energy(r), ",.1f"),
            _fmt(_div(_first_energy(r), _first_energy(ref)), ".2f"),
        ]
        out.append("| " + " | ".join(cells) + " |")
    out += [
        "",
        f"Area of the M{meta['M']} N{meta['N']} instance per (MAC per cycle); delay and energy "
        f"of its flattened {meta['M']}-row, "
        f"{meta.get('energy_n') or 4}-column form (energy: the switching-energy proxy, "
        "gate-input toggles per MAC on "
        f"{meta.get('energy_lmmas') or '-'} LMMAs of {profile or 'no'} traffic); "
        "GMAC/s per mm2 = MAC per cycle x (1 / critical path) / area. "
        f"Command: `{meta['command']}` ({meta['wall_s'] / 60:.1f} min, "
        f"{meta.get('jobs', 2)} at a time).",
    ]
    for note in meta.get("notes") or []:
        out.append(f"Not priced: {note}.")
    return "\n".join(out)


def _find(rows: list[dict], core: str, b: int, afmt: str = "INT8", fp_acc: str = "FP32"):
    return next(
        (r for r in rows if r["core"] == core and r["wbits"] == b and group(r) == (afmt, fp_acc)),
        None,
    )


def _last_below(
    rows: list[dict], core: str, ref: dict | None, key: str, higher_better: bool = False
) -> str:
    """'up to W3 (W4 1.12x)': the widest weights where ``core`` stays below ``ref`` (above
    it with ``higher_better``), and the ratio where that ends."""
    mine = sorted(
        (r for r in rows if r["core"] == core and group(r) == ("INT8", "FP32")),
        key=lambda r: r["wbits"],
    )
    if not ref or not ref.get(key) or not mine or not all(r.get(key) for r in mine):
        return "not measured"
    ratios = [(r["wbits"], r[key] / ref[key]) for r in mine]
    wins = [b for b, x in ratios if (x > 1 if higher_better else x < 1)]
    losses = [(b, x) for b, x in ratios if b not in wins]
    if not wins:
        return f"at no width (W{ratios[0][0]} {ratios[0][1]:.2f}x)"
    if not losses:
        return f"up to at least W{wins[-1]} (W{wins[-1]} {ratios[-1][1]:.2f}x)"
    b, x = losses[0]
    return f"up to W{wins[-1]} (W{b} {x:.2f}x)"


def render_claims(doc: dict) -> str:
    """The paper's claims beside this run's figures, one row each ('' without pairs)."""
    rows, meta = doc["rows"], doc["meta"]
    if not rows:
        return ""
    ref_b = meta.get("mac_ref", 0)
    ref = _find(rows, "mac", ref_b)
    tc1, tc2 = _find(rows, "lut_tc", 1), _find(rows, "lut_tc", 2)
    um2, gm, tr = "area_um2_per_mac", "gmacs_per_mm2", "transistors_per_mac"

    def x(a: float | None, b: float | None) -> str:
        v = _div(a, b)
        return "-" if v is None else f"{v:.2f}x"

    conv = [
        (r["wbits"], _find(rows, "lut_tc", r["wbits"]), r)
        for r in rows
        if r["core"] == "lut_conv" and group(r) == ("INT8", "FP32")
    ]
    conv_area = [x(c.get(um2), t.get(um2)) for _, t, c in conv if t]
    conv_energy = [x(_first_energy(c), _first_energy(t)) for _, t, c in conv if t]
    out = [
        "| claim (paper: 28 nm, Design Compiler) | paper | here (`make ppa`, OSU 0.18 um, "
        "Yosys; INT8 activations unless said) |",
        "|---|---|---|",
        f"| area: LUT Tensor Core vs a MAC tensor core, 1-bit weights | 4-6x smaller | "
        f"{x((ref or {}).get(um2), (tc1 or {}).get(um2))} smaller um2 per MAC/cycle than "
        f"`mac W{ref_b}` ({x((ref or {}).get(tr), (tc1 or {}).get(tr))} in transistors) |",
        f"| compute density, 1-bit weights | 4-6x | "
        f"{x((tc1 or {}).get(gm), (ref or {}).get(gm))} the GMAC/s per mm2 of `mac W{ref_b}`; "
        f"W2 {x((tc2 or {}).get(gm), (ref or {}).get(gm))} |",
        f"| LUT Tensor Core smaller than MAC up to 6-bit weights | up to W6 | "
        f"smaller than `mac W{ref_b}` {_last_below(rows, 'lut_tc', ref, um2)}; denser in "
        f"GMAC/s per mm2 {_last_below(rows, 'lut_tc', ref, gm, True)} |",
        f"| a conventional LUT core loses to MAC above 2-bit weights | from W3 | "
        f"smaller than `mac W{ref_b}` {_last_below(rows, 'lut_conv', ref, um2)} |",
        "| table symmetrization + a shared precomputed table vs a conventional LUT "
        "(UNPU 17,272 -> 11,991 um2) | 1.44x | conventional / LUT Tensor Core, um2 per MAC/cycle "
        f"W1..W{len(conv_area)}: {', '.join(conv_area) or 'not measured'}; energy per MAC: "
        f"{', '.join(conv_energy) or 'not measured'} |",
        "| energy: LUT Tensor Core vs MAC (part of its 4-6x PPA; 1.44x energy efficiency vs "
        "earlier LUT designs) | better | switching-energy proxy per MAC, "
        f"`mac W{ref_b}` / LUT Tensor Core: W1 {x(_first_energy(ref), _first_energy(tc1))}, "
        f"W2 {x(_first_energy(ref), _first_energy(tc2))} |",
        f"| W_INT1 x A_FP16, FP16 accumulation: 18x the compute density of an FP16 MAC "
        f"(61.55 vs 3.39 TFLOPs/mm2) | 18x | {_fp16_claim(rows, ref_b)} |",
        f"| an elongated M x N x K tile suits a LUT core (table reuse against broadcast) | "
        f"M2N64-like | {_shape_claim(doc.get('shapes') or [])} |",
    ]
    return "\n".join(out)


def _fp16_claim(rows: list[dict], ref_b: int) -> str:
    tc = _find(rows, "lut_tc", 1, "FP16", "FP16")
    if not tc:
        return "not in this run: the binary16 rows are `--fp-acc fp16`"
    mac = _find(rows, "mac", ref_b, "FP16", "FP16")
    gm = tc.get("gmacs_per_mm2")
    if not mac:
        return (
            f"pending the MAC core's binary16 datapath: LUT Tensor Core W1 x FP16 acc FP16 "
            f"{_fmt(gm, '.1f')} GMAC/s per mm2, no like-for-like MAC row"
        )
    return (
        f"{_div(gm, mac.get('gmacs_per_mm2')) or 0:.2f}x the GMAC/s per mm2 of `mac W{ref_b}` "
        f"x FP16 acc FP16 ({_fmt(gm, '.1f')} vs {_fmt(mac.get('gmacs_per_mm2'), '.1f')}); "
        f"{_div(mac.get('area_um2_per_mac'), tc.get('area_um2_per_mac')) or 0:.2f}x less um2 "
        "per MAC/cycle"
    )


def _shape_claim(shapes: list[dict]) -> str:
    tc = sorted((r for r in shapes if r["core"] == "lut_tc"), key=shape_rows)
    if len(tc) < 2:
        return "not in this run (`--shapes`)"
    a, z = tc[0], tc[-1]
    gm = _div(z.get("gmacs_per_mm2"), a.get("gmacs_per_mm2"))
    mac = [r["transistors_per_mac"] for r in shapes if r["core"] == "mac"]
    flat = f"; the MAC core's area within {max(mac) / min(mac) - 1:.0%}" if mac else ""
    return (
        f"LUT Tensor Core {a['shape']} to {z['shape']}: table bits per MAC "
        f"{z['table_bits_per_mac'] / a['table_bits_per_mac']:.1f}x, broadcast bits per MAC "
        f"{z['broadcast_bits_per_mac'] / a['broadcast_bits_per_mac']:.1f}x, transistors per "
        f"MAC/cycle {z['transistors_per_mac'] / a['transistors_per_mac'] - 1:+.0%}"
        + (f", GMAC/s per mm2 {gm - 1:+.0%}" if gm else "")
        + flat
    )
