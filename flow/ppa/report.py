# SPDX-License-Identifier: Apache-2.0
"""The comparison as a Markdown table, a plot and the block of ``docs/ppa.md``."""

from __future__ import annotations

from pathlib import Path

from flow import docblock
from flow.ppa.pairs import AFMTS, pair_label
from models.config import CORES, FpAcc, K

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "ppa.md"
#: The plots ``make ppa`` writes beside ``ppa.json``, and ``docs/ppa_<name>`` they are copied to.
PLOTS = ("area.png", "delay.png", "energy.png")
SHAPES_PNG = "shapes.png"
DOC_PNGS = {name: ROOT / "docs" / f"ppa_{name}" for name in (*PLOTS, SHAPES_PNG)}
#: The doc's generated blocks (:mod:`flow.docblock`) and the command that writes them.
DOC_BLOCK, DOC_COMMAND = "ppa", "tools/ppa.py --write-doc"
LIBERTY_BLOCK, SHAPES_BLOCK, SUMMARY_BLOCK = "ppa_liberty", "ppa_shapes", "ppa_summary"
CLAIMS_BLOCK, ENERGY_BLOCK = "ppa_claims", "ppa_energy"


def acc(r: dict) -> str:
    """The row's FP datapath format (rows saved before it was recorded: FP32)."""
    return r.get("fp_acc", FpAcc.FP32.name)


def label(r: dict) -> str:
    """``W2 x INT8``, ``W1 x FP16 acc FP16``."""
    return pair_label(r["wbits"], r["afmt"], acc(r))


def group(r: dict) -> tuple[str, str]:
    """What a row is compared within: its activation format and FP datapath format."""
    return r["afmt"], acc(r)


def macs_of(rows: list[dict]) -> dict[tuple, dict]:
    """The MAC core's rows by (weight bits, format, FP datapath format)."""
    return {(r["wbits"], *group(r)): r for r in rows if r["core"] == "mac"}


def order_key(r: dict) -> tuple:
    return (_afmt_order(r["afmt"]), acc(r), r["wbits"], _core_order(r))


def render(doc: dict) -> str:
    """The table as Markdown: one row per precision pair and core, ratios against MAC."""
    rows = doc["rows"]
    ref_b = doc["meta"].get("mac_ref", 0)
    mac = macs_of(rows)
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

    for r in sorted(rows, key=order_key):
        same = mac.get((r["wbits"], *group(r)))
        ref = mac.get((ref_b, *group(r)))
        out.append(
            f"| {label(r)} | {r['core']} | {r['transistors']:,} | {r['gates']:,} "
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
    mac = macs_of(rows)
    out = [
        f"| W x A | core | area um2 | um2 per MAC/cycle | vs MAC W{ref_b} (um2) "
        "| critical path ns | clock MHz | GMAC/s per mm2 "
        f"| vs MAC W{ref_b} (GMAC/s per mm2) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in sorted(rows, key=order_key):
        ref = mac.get((ref_b, *group(r)))
        out.append(
            f"| {label(r)} | {r['core']} | {r['area_um2']:,.0f} "
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
    for r in sorted(rows, key=lambda r: (_core_order(r), shape_rows(r))):
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


def shape_rows(r: dict) -> int:
    return int(r["shape"][1:].split("N")[0])


def _shape_macs(r: dict) -> int:
    return shape_rows(r) * int(r["shape"].split("N")[1]) * K


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


def _energy(profile: str):
    def get(r: dict) -> float | None:
        e = r.get("energy", {}).get(profile)
        return e["energy_per_mac"] if e else None

    return get


def _key(name: str):
    return lambda r: r.get(name)


#: Each plot: its file and its rows of panels (y label, value of a row or None).
def _figures(doc: dict) -> dict[str, list[tuple[str, object]]]:
    profiles = doc["meta"].get("energy_profiles") or []
    return {
        "area.png": [
            ("transistors per (MAC per cycle)", _key("transistors_per_mac")),
            ("um2 per (MAC per cycle)\n(OSU 0.18 um cells)", _key("area_um2_per_mac")),
            ("GMAC/s per mm2\n(OSU 0.18 um, ABC delay)", _key("gmacs_per_mm2")),
        ],
        "delay.png": [
            ("gate levels of the longest path\n(unit delay per gate)", _key("gate_levels")),
            ("critical path, ns\n(OSU 0.18 um, ABC)", _key("delay_ns")),
            ("transistors x gate levels\nper (MAC per cycle)", _key("area_delay_per_mac")),
        ],
        "energy.png": [
            (f"switching-energy proxy per MAC\n({p} traffic, gate-input toggles)", _energy(p))
            for p in profiles
        ],
    }


def plot(doc: dict, out: Path) -> list[Path]:
    """Area, delay and energy against weight bits, a line per core and a panel column per
    format (and FP datapath format): ``out/area.png``, ``delay.png``, ``energy.png``
    (a figure with no measured panel is not written). The files written."""
    written = []
    for name, metrics in _figures(doc).items():
        rows = [m for m in metrics if any(m[1](r) is not None for r in doc["rows"])]
        if rows:
            _plot_pairs(doc, rows, out / name)
            written.append(out / name)
    return written


def _plot_pairs(doc: dict, metrics: list[tuple[str, object]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # after use(): no display needed

    rows = doc["rows"]
    ref_b = doc["meta"].get("mac_ref", 0)
    groups = sorted({group(r) for r in rows}, key=lambda g: (_afmt_order(g[0]), g[1]))
    fig, axes = plt.subplots(
        len(metrics),
        len(groups),
        figsize=(max(3.4 * len(groups), 6.4), 3.0 * len(metrics)),
        squeeze=False,
    )
    styles = {"lut_tc": "o-", "lut_conv": "s--", "mac": "^:"}
    colors = {"lut_tc": "C0", "lut_conv": "C1", "mac": "C2"}  # one color per core, every panel
    for (ylabel, get), panels in zip(metrics, axes, strict=True):
        for ax, g in zip(panels, groups, strict=True):
            mine = [r for r in rows if group(r) == g and get(r) is not None]
            ref = [r for r in mine if r["core"] == "mac" and r["wbits"] == ref_b]
            if ref:
                ax.axhline(get(ref[0]), color="grey", ls="-.", lw=1)
                ax.text(1, get(ref[0]), f" mac W{ref_b}", fontsize=7, va="bottom")
            for core in CORES:
                pts = sorted(
                    (r["wbits"], get(r))
                    for r in mine
                    if r["core"] == core and (core != "mac" or r["wbits"] != ref_b)
                )
                if pts:
                    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
                    ax.plot(xs, ys, styles[core], color=colors[core], label=core)
            title = f"A = {g[0]}" + (f", {g[1]} accumulation" if g[1] != FpAcc.FP32.name else "")
            ax.set_title(title, fontsize=9)
            ax.set_xlabel("weight bits")
            ax.set_xticks(sorted({r["wbits"] for r in rows if r["wbits"] != ref_b}))
            ax.grid(alpha=0.3)
            if not mine:
                ax.text(0.5, 0.5, "not measured", transform=ax.transAxes, ha="center")
        panels[0].set_ylabel(ylabel, fontsize=8)
    for ax in axes.flat:
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7)
            break
    meta = doc["meta"]
    n = meta.get("energy_n") if "energy" in path.name else meta["N"]
    what = {"area": "Area and throughput per area", "delay": "Delay", "energy": "Energy"}
    fig.suptitle(
        f"{what.get(path.stem, path.stem)}, M{meta['M']} N{n} K{K}, T={meta['T']}\n"
        + (
            "(lower is better, except GMAC/s per mm2)"
            if path.stem == "area"
            else "(lower is better)"
        ),
        fontsize=10,
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)


def write_doc(blocks: dict[str, str], doc_path: Path = DOC) -> None:
    """Each table into its block of ``docs/ppa.md`` (an empty one is left as it is)."""
    for block, text in blocks.items():
        if text:
            docblock.write(doc_path, block, text, DOC_COMMAND)


def render_energy(doc: dict) -> str:
    """The switching-energy proxy per MAC, per pair and profile; '' when none was measured.

    Ratios: each core's ``llm`` figure against the MAC core of the same weight
    width and against the MAC reference, and zero weights against random ones.
    """
    rows = [r for r in doc["rows"] if r.get("energy")]
    if not rows:
        return ""
    profiles = list(dict.fromkeys(p for r in rows for p in r["energy"]))
    ref_b = doc["meta"].get("mac_ref", 0)
    first = profiles[0]
    mac = macs_of(rows)

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
    for r in sorted(rows, key=order_key):
        e = r["energy"]
        any_p = next(iter(e.values()))
        same, ref = mac.get((r["wbits"], *group(r))), mac.get((ref_b, *group(r)))
        out.append(
            f"| {label(r)} | {r['core']} | "
            + " | ".join(_num(per_mac(r, p), ".1f") for p in profiles)
            + f" | {ratio(per_mac(r, first), per_mac(same, first))}"
            f" | {ratio(per_mac(r, first), per_mac(ref, first))}"
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


def _num(v: float | None, spec: str) -> str:
    return "-" if v is None else format(v, spec)
