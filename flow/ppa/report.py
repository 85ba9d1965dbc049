# SPDX-License-Identifier: Apache-2.0
"""The comparison as a Markdown table, a plot and the block of ``docs/ppa.md``."""

from __future__ import annotations

from pathlib import Path

from flow import docblock
from flow.ppa.pairs import AFMTS
from models.config import CORES, K

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "ppa.md"
DOC_PNG = ROOT / "docs" / "ppa_area.png"
DOC_SHAPES_PNG = ROOT / "docs" / "ppa_shapes.png"
#: The doc's generated blocks (:mod:`flow.docblock`) and the command that writes them.
DOC_BLOCK, DOC_COMMAND = "ppa", "tools/ppa.py --write-doc"
LIBERTY_BLOCK, SHAPES_BLOCK = "ppa_liberty", "ppa_shapes"
#: The doc's block of the energy table, and the command that fills it.
ENERGY_BLOCK, ENERGY_COMMAND = "ppa_energy", "tools/ppa.py --energy llm,random,zero_w --write-doc"


def render(doc: dict) -> str:
    """The table as Markdown: one row per precision pair and core, ratios against MAC."""
    rows = doc["rows"]
    ref_b = doc["meta"].get("mac_ref", 0)
    mac = {(r["wbits"], r["afmt"]): r for r in rows if r["core"] == "mac"}
    out = [
        "| W x A | core | transistors | gates | flops | MAC/cycle | transistors per MAC/cycle "
        f"| vs MAC (same W) | vs MAC W{ref_b} | table bits | broadcast bits "
        f"| gate levels | area x delay per MAC/cycle | vs MAC W{ref_b} (area x delay) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]

    def ratio(r: dict, base: dict | None, key: str = "transistors_per_mac") -> str:
        if not base or not r.get(key) or not base.get(key):
            return "-"
        return f"{r[key] / base[key]:.2f}"

    def num(v: float | None, fmt: str = ",.0f") -> str:
        return "-" if v is None else format(v, fmt)

    for r in sorted(rows, key=lambda r: (_afmt_order(r["afmt"]), r["wbits"], _core_order(r))):
        same = mac.get((r["wbits"], r["afmt"]))
        ref = mac.get((ref_b, r["afmt"]))
        out.append(
            f"| W{r['wbits']} x {r['afmt']} | {r['core']} | {r['transistors']:,} | {r['gates']:,} "
            f"| {r['flops']:,} | {r['macs_per_cycle']:g} | {r['transistors_per_mac']:,.0f} "
            f"| {ratio(r, same)} | {ratio(r, ref)} | {r['table_bits']:,} "
            f"| {r['broadcast_bits']:,} | {num(r.get('gate_levels'))} "
            f"| {num(r.get('area_delay_per_mac'))} | {ratio(r, ref, 'area_delay_per_mac')} |"
        )
    meta = doc["meta"]
    out.append("")
    out.append(
        f"M{meta['M']} N{meta['N']} K{K}, T={meta['T']}; Yosys {meta['yosys']}, "
        f"`abc -g cmos2`, `stat -tech cmos`, flip-flops at {meta['flop_transistors']} "
        f"transistors (+{meta['reset_transistors']} with reset); gate levels: `ltp -noff` "
        "of the flattened netlist, one unit of delay per gate. "
        f"{len(rows)} pairs, each synthesized whole and at 4 columns for its depth, "
        f"in {meta['wall_s']:.0f} s. Command: `{meta['command']}`."
    )
    return "\n".join(out)


def render_liberty(doc: dict) -> str:
    """The cell library's table: area in um2 and ABC's critical path in ns per pair
    ("" when no pair was mapped to a library)."""
    rows, meta = [r for r in doc["rows"] if r.get("area_um2")], doc["meta"]
    if not rows:
        return ""
    ref_b = meta.get("mac_ref", 0)
    mac = {(r["wbits"], r["afmt"]): r for r in rows if r["core"] == "mac"}
    out = [
        f"| W x A | core | area um2 | um2 per MAC/cycle | vs MAC W{ref_b} (um2) "
        "| critical path ns | clock MHz | GMAC/s per mm2 "
        f"| vs MAC W{ref_b} (GMAC/s per mm2) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in sorted(rows, key=lambda r: (_afmt_order(r["afmt"]), r["wbits"], _core_order(r))):
        ref = mac.get((ref_b, r["afmt"]))
        out.append(
            f"| W{r['wbits']} x {r['afmt']} | {r['core']} | {r['area_um2']:,.0f} "
            f"| {r['area_um2_per_mac']:,.0f} | {_ratio(r, ref, 'area_um2_per_mac')} "
            f"| {r['delay_ns']:.2f} | {r['fmax_mhz']:.0f} | {r['gmacs_per_mm2']:.1f} "
            f"| {_ratio(r, ref, 'gmacs_per_mm2')} |"
        )
    out += ["", _liberty_note(meta, "the flattened 4-column instance")]
    return "\n".join(out)


def _liberty_note(meta: dict, delay_of: str) -> str:
    return (
        f"Cells of `{meta.get('liberty')}` (OSU 0.18 um, typical corner, 1.8 V; Debian "
        "`qflow-tech-osu018`, full and half adders left out): `dfflibmap`, "
        f"`abc -D {meta.get('abc_target_ps')} -liberty` (delay mapping, buffering, sizing), "
        f"`stat -liberty`. Area of the full instance; critical path: ABC's `stime` of "
        f"{delay_of}, flip-flop to flip-flop without clock-to-Q, setup, wires or the "
        "flip-flops' own fan-out; clock = 1 / that path; "
        "GMAC/s per mm2 = MAC per cycle x clock / area. "
        f"Command: `{meta['command']}` ({meta['wall_s']:.0f} s for the whole run)."
    )


def _ratio(r: dict, base: dict | None, key: str) -> str:
    if not base or not r.get(key) or not base.get(key):
        return "-"
    return f"{r[key] / base[key]:.2f}"


def render_shapes(doc: dict) -> str:
    """The tiling-shape sweep: area, delay, table storage and broadcast per shape and core."""
    rows, meta = doc["shapes"], doc["meta"]
    lib = all(r.get("area_um2") for r in rows)
    head = (
        "| shape | core | transistors | transistors per MAC/cycle | gate levels "
        + ("| area um2 | um2 per MAC/cycle | critical path ns | GMAC/s per mm2 " if lib else "")
        + "| table bits | table bits per MAC | broadcast bits | broadcast bits per MAC |"
    )
    out = [head, "|---|---|" + "---:|" * (head.count("|") - 3)]
    for r in sorted(rows, key=lambda r: (_core_order(r), _shape_rows(r))):
        cells = [r["shape"], r["core"], f"{r['transistors']:,}"]
        cells += [f"{r['transistors_per_mac']:,.0f}", f"{r['gate_levels']}"]
        if lib:
            cells += [f"{r['area_um2']:,.0f}", f"{r['area_um2_per_mac']:,.0f}"]
            cells += [f"{r['delay_ns']:.2f}", f"{r['gmacs_per_mm2']:.1f}"]
        cells += [f"{r['table_bits']:,}", f"{r['table_bits_per_mac']:.3g}"]
        cells += [f"{r['broadcast_bits']:,}", f"{r['broadcast_bits_per_mac']:.3g}"]
        out.append("| " + " | ".join(cells) + " |")
    out += [
        "",
        f"{meta['shape_pair']}, K{K}, T={meta['T']}; MACs per LMMA (M x N x K): "
        f"{', '.join(sorted({f'{_shape_macs(r):,}' for r in rows}))}. "
        "Broadcast bits: driven across the array per cycle (the M rows' tables or "
        "activations, the N columns' weights); per MAC: per (MAC per cycle). Table bits per "
        "MAC: table bits / MACs per LMMA. Gate levels and critical path of the flattened "
        "instance of the shape's M rows and 4 columns. "
        + (_liberty_note(meta, "that instance") if lib else ""),
    ]
    return "\n".join(out)


def _shape_rows(r: dict) -> int:
    return int(r["shape"][1:].split("N")[0])


def _shape_macs(r: dict) -> int:
    return _shape_rows(r) * int(r["shape"].split("N")[1]) * K


def plot_shapes(doc: dict, path: Path) -> None:
    """The sweep: one panel per measure against the shape, one line per core."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # after use(): no display needed

    rows = doc["shapes"]
    panels = [
        ("transistors_per_mac", "transistors per (MAC per cycle)"),
        ("area_um2_per_mac", "um2 per (MAC per cycle), OSU 0.18 um"),
        ("delay_ns", "critical path, ns (ABC)"),
        ("gmacs_per_mm2", "GMAC/s per mm2"),
        ("table_bits_per_mac", "table bits per MAC"),
        ("broadcast_bits_per_mac", "broadcast bits per (MAC per cycle)"),
    ]
    panels = [p for p in panels if all(r.get(p[0]) is not None for r in rows)]
    shapes = sorted({r["shape"] for r in rows}, key=lambda s: int(s[1:].split("N")[0]))
    cols = 3
    fig, axes = plt.subplots(
        (len(panels) + cols - 1) // cols, cols, figsize=(11, 3.2 * ((len(panels) + 2) // 3))
    )
    axes = list(getattr(axes, "flat", [axes]))
    styles = {"lut_tc": "o-", "lut_conv": "s--", "mac": "^:"}
    for ax, (key, label) in zip(axes, panels, strict=False):
        for core in CORES:
            pts = {r["shape"]: r[key] for r in rows if r["core"] == core}
            if pts:
                xs = [s for s in shapes if s in pts]
                ax.plot(xs, [pts[s] for s in xs], styles[core], label=core)
        ax.set_title(label, fontsize=9)
        ax.grid(alpha=0.3)
    for ax in axes[len(panels) :]:
        ax.set_visible(False)
    axes[0].legend(fontsize=8)
    macs = "/".join(sorted({f"{_shape_macs(r)}" for r in rows}))
    fig.suptitle(f"Tiling shapes at {macs} MACs per LMMA, {doc['meta']['shape_pair']}, K{K}")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _afmt_order(a: str) -> int:
    return list(AFMTS).index(a)


def _core_order(r: dict) -> int:
    return list(CORES).index(r["core"])


#: What the plot shows, one row of panels each: (row key, y label).
METRICS = (
    ("transistors_per_mac", "transistors per (MAC per cycle)"),
    ("area_delay_per_mac", "transistors x gate levels\nper (MAC per cycle)"),
    ("area_um2_per_mac", "um2 per (MAC per cycle)\n(OSU 0.18 um cells)"),
    ("gmacs_per_mm2", "GMAC/s per mm2\n(OSU 0.18 um, ABC delay)"),
)


def plot(doc: dict, path: Path) -> None:
    """Area, then area x delay, per (MAC per cycle) against weight bits; a panel per format."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # after use(): no display needed

    rows = doc["rows"]
    ref_b = doc["meta"].get("mac_ref", 0)
    afmts = [a for a in AFMTS if any(r["afmt"] == a for r in rows)]
    metrics = [m for m in METRICS if all(r.get(m[0]) for r in rows)]
    fig, axes = plt.subplots(
        len(metrics),
        len(afmts),
        figsize=(max(3.2 * len(afmts), 6.4), 3.0 * len(metrics)),
        squeeze=False,
    )
    styles = {"lut_tc": "o-", "lut_conv": "s--", "mac": "^:"}
    colors = {"lut_tc": "C0", "lut_conv": "C1", "mac": "C2"}  # one color per core, every panel
    for (key, label), panels in zip(metrics, axes, strict=True):
        for ax, a in zip(panels, afmts, strict=True):
            ref = [r for r in rows if r["core"] == "mac" and r["afmt"] == a and r["wbits"] == ref_b]
            if ref:
                ax.axhline(ref[0][key], color="grey", ls="-.", lw=1)
                ax.text(1, ref[0][key], f" mac W{ref_b}", fontsize=7, va="bottom")
            for core in CORES:
                pts = sorted(
                    (r["wbits"], r[key])
                    for r in rows
                    if r["core"] == core
                    and r["afmt"] == a
                    and (core != "mac" or r["wbits"] != ref_b)
                )
                if pts:
                    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
                    ax.plot(xs, ys, styles[core], color=colors[core], label=core)
            ax.set_title(f"A = {a}")
            ax.set_xlabel("weight bits")
            ax.set_xticks(sorted({r["wbits"] for r in rows if r["wbits"] != ref_b}))
            ax.grid(alpha=0.3)
        panels[0].set_ylabel(label)
    axes[0][0].legend(fontsize=8)
    fig.suptitle(
        f"Area and delay per throughput, M{doc['meta']['M']} N{doc['meta']['N']} K{K}\n"
        "(Yosys: cmos2 with unit gate delay"
        + ("; OSU 0.18 um cells)" if any(m[0] == "gmacs_per_mm2" for m in metrics) else ")"),
        fontsize=10,
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_doc(
    table: str, liberty: str = "", shapes: str = "", energy: str = "", doc_path: Path = DOC
) -> None:
    """The tables into their blocks of ``docs/ppa.md`` (an empty one is left as it is)."""
    for block, text, command in (
        (DOC_BLOCK, table, DOC_COMMAND),
        (LIBERTY_BLOCK, liberty, DOC_COMMAND),
        (SHAPES_BLOCK, shapes, DOC_COMMAND),
        (ENERGY_BLOCK, energy, ENERGY_COMMAND),
    ):
        if text:
            docblock.write(doc_path, block, text, command)


def render_energy(doc: dict) -> str:
    """The switching-energy proxy per MAC, per pair and profile; '' when none was measured.

    Ratios: each core's ``llm`` figure against the MAC core of the same weight
    width and against the MAC reference, and zero weights against random ones.
    """
    rows = [r for r in doc["rows"] if r.get("energy")]
    if not rows:
        return ""
    profiles = list(rows[0]["energy"])
    ref_b = doc["meta"].get("mac_ref", 0)
    first = profiles[0]
    mac = {(r["wbits"], r["afmt"]): r for r in rows if r["core"] == "mac"}

    def per_mac(r: dict | None, p: str) -> float | None:
        return r["energy"][p]["energy_per_mac"] if r and p in r.get("energy", {}) else None

    def ratio(a: float | None, b: float | None) -> str:
        return f"{a / b:.2f}" if a and b else "-"

    out = [
        "| W x A | core | "
        + " | ".join(f"{p} per MAC" for p in profiles)
        + f" | vs MAC (same W), {first} | vs MAC {f'W{ref_b}' if ref_b else 'ref (none)'}, {first}"
        " | zero_w / random "
        "| cycles per LMMA | load matched |",
        "|---|---|" + "---:|" * (len(profiles) + 5),
    ]
    for r in sorted(rows, key=lambda r: (_afmt_order(r["afmt"]), r["wbits"], _core_order(r))):
        e = r["energy"]
        any_p = e[first]
        out.append(
            f"| W{r['wbits']} x {r['afmt']} | {r['core']} | "
            + " | ".join(f"{per_mac(r, p):.1f}" for p in profiles)
            + f" | {ratio(per_mac(r, first), per_mac(mac.get((r['wbits'], r['afmt'])), first))}"
            f" | {ratio(per_mac(r, first), per_mac(mac.get((ref_b, r['afmt'])), first))}"
            f" | {ratio(per_mac(r, 'zero_w'), per_mac(r, 'random'))}"
            f" | {any_p['cycles'] / any_p['lmmas']:.2f}"
            f" | {min(x['load_matched'] for x in e.values()):.3f} |"
        )
    meta = doc["meta"]
    out.append("")
    out.append(
        f"Switching-energy proxy: toggles x fan-out (gate inputs), summed over every net of "
        f"the gate-level netlist, per multiply-accumulate; M{meta['M']} "
        f"N{meta.get('energy_n', meta['N'])} K{K}, T={meta['T']}, a GEMM of "
        f"{meta.get('energy_lmmas', '?')} LMMAs per profile in the tiler's order, replayed "
        "under Verilator with toggle counters, every response checked. "
        f"Command: `{meta['command']}`."
    )
    return "\n".join(out)
