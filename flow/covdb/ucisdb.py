# SPDX-License-Identifier: Apache-2.0
"""The merged coverage of one configuration as a UCIS XML database, through pyucis.

UCIS (Accellera's Unified Coverage Interoperability Standard) is what other
coverage tools read, so the merged result is kept in it and not only in our
JSON. Layout: one design unit and instance ``lut_tensor_core`` (attribute
``config``), one covergroup per tb covergroup (type coverage only, no
per-instance copies), coverpoints and crosses with one bin each, a TEST
history node per contributing dump (logical name: the dump's job id; seed
and simulator as the dump records them; comment: ``test=<class>`` and the
transport) under one MERGE node.

Excluded bins are UCIS ignore bins, their reason a ``userAttr`` named
``exclusion``. pyucis 0.2 keeps the ignore type of coverpoint bins but writes
every cross bin as ``type="default"`` and drops the type when it reads one,
and it has no way to attach an attribute to a bin; so after pyucis has
written the file the excluded bins get ``type="ignore"`` and their reason
here (the schema allows both), and :func:`read_ucis` reads them back from
the XML itself. The file is checked against the UCIS schema pyucis ships.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from pathlib import Path

from lxml import etree
from ucis import (
    UCIS_CVGBIN,
    UCIS_DU_MODULE,
    UCIS_ENABLED_BRANCH,
    UCIS_ENABLED_COND,
    UCIS_ENABLED_EXPR,
    UCIS_ENABLED_FSM,
    UCIS_ENABLED_STMT,
    UCIS_ENABLED_TOGGLE,
    UCIS_IGNOREBIN,
    UCIS_ILLEGALBIN,
    UCIS_INST_ONCE,
    UCIS_INSTANCE,
    UCIS_OTHER,
    UCIS_SCOPE_UNDER_DU,
)
from ucis.cover_type_t import CoverTypeT
from ucis.coverpoint import Coverpoint
from ucis.history_node_kind import HistoryNodeKind
from ucis.mem.mem_factory import MemFactory
from ucis.scope_type_t import ScopeTypeT
from ucis.ucis import UCIS
from ucis.xml import validate_ucis_xml
from ucis.xml.xml_factory import XmlFactory

from flow.covdb.model import ConfigCoverage, CoverPoint, Run, natural_key

TOP = "lut_tensor_core"
WRITTEN_BY = "tools/covmerge.py"
_WRITTEN_BY = f'writtenBy="{WRITTEN_BY}"'
EXCLUSION_ATTR = "exclusion"
_DU_FLAGS = (
    UCIS_ENABLED_STMT
    | UCIS_ENABLED_BRANCH
    | UCIS_ENABLED_COND
    | UCIS_ENABLED_EXPR
    | UCIS_ENABLED_FSM
    | UCIS_ENABLED_TOGGLE
    | UCIS_INST_ONCE
    | UCIS_SCOPE_UNDER_DU
)


def _comment(r: Run) -> str:
    """``test=SmokeTest transport=batch``: what UCIS has no field for."""
    return " ".join(f"{k}={v}" for k, v in (("test", r.test), ("transport", r.transport)) if v)


def build_db(cov: ConfigCoverage, physical_name: str = "") -> UCIS:
    """An in-memory pyucis database holding ``cov`` (exclusion reasons not included)."""
    db = MemFactory.create()
    db.setWrittenBy(WRITTEN_BY)
    top = db.createHistoryNode(
        None, f"merge {cov.config}", physical_name or f"{cov.config}.xml", HistoryNodeKind.MERGE
    )
    top.setToolCategory("merge")
    for r in cov.runs:
        h = db.createHistoryNode(top, r.name, f"{r.name}.json", HistoryNodeKind.TEST)
        h.setSeed(r.seed)
        h.setToolCategory("simulator")
        h.setVendorTool(r.sim)
        h.setComment(_comment(r))
    du = db.createScope(TOP, None, 1, UCIS_OTHER, UCIS_DU_MODULE, _DU_FLAGS)
    inst = db.createInstance(TOP, None, 1, UCIS_OTHER, UCIS_INSTANCE, du, UCIS_INST_ONCE)
    inst.setAttribute("config", cov.config)
    for g in cov.groups.values():
        cg = inst.createCovergroup(g.name, None, 1, UCIS_OTHER)
        scopes = {}
        for p in g.points.values():
            if not p.is_cross:
                scopes[p.name] = cg.createCoverpoint(p.name, None, 1, UCIS_OTHER)
                _add_bins(scopes[p.name], p)
        for p in g.points.values():
            if p.is_cross:
                cr = cg.createCross(p.name, None, 1, UCIS_OTHER, [scopes[c] for c in p.crossed])
                _add_bins(cr, p)
    return db


def _add_bins(scope: Coverpoint, p: CoverPoint) -> None:
    """One UCIS bin per bin; excluded ones as ignore bins (their reason is added later)."""
    for b, n in p.bins.items():
        kind = UCIS_IGNOREBIN if b in p.excluded else UCIS_CVGBIN
        scope.createBin(b, None, 1, n, b, kind)


def _points(root: etree._Element) -> Iterator[tuple[str, etree._Element]]:
    """(covergroup, point element) for every coverpoint and cross in a UCIS XML tree."""
    for cgi in root.iter("cgInstance"):
        cg_id = cgi.find("cgId")
        group = cg_id.get("cgName") if cg_id is not None else cgi.get("name")
        for pt in cgi:
            if pt.tag in ("coverpoint", "cross"):
                yield group, pt


def _bin_tag(point: etree._Element) -> str:
    return "crossBin" if point.tag == "cross" else "coverpointBin"


def _mark_excluded(xml: str, cov: ConfigCoverage) -> bytes:
    """Exclusions into the XML pyucis wrote: ignore type and the reason on every excluded bin."""
    root = etree.fromstring(xml.encode(), etree.XMLParser(remove_blank_text=True))
    for group, pt in _points(root):
        p = cov.groups[group].points[pt.get("name")]
        for el in pt.iter(_bin_tag(pt)):
            why = p.excluded.get(el.get("name"))
            if why is not None:
                el.set("type", "ignore")
                attr = etree.SubElement(el, "userAttr", key=EXCLUSION_ATTR, type="str")
                attr.text = why
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def write_ucis(cov: ConfigCoverage, path: Path) -> Path:
    """Write ``cov`` as a schema-checked UCIS XML file; returns ``path``."""
    buf = io.StringIO()
    XmlFactory.write(build_db(cov, path.name), buf)
    data = _mark_excluded(buf.getvalue(), cov)
    validate_ucis_xml(io.BytesIO(data))  # raises if the file would not be valid UCIS
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def write_ucis_dir(covs: Sequence[ConfigCoverage], out_dir: Path) -> dict[str, Path]:
    """``<out_dir>/<config>.xml`` per configuration; older files of ours for others go.

    A regression of fewer configurations than the last one must not leave a
    stale database next to the new ones; files another tool wrote stay.
    """
    written = {c.config: write_ucis(c, out_dir / f"{c.config}.xml") for c in covs}
    for old in out_dir.glob("*.xml"):
        if old not in written.values() and _WRITTEN_BY.encode() in old.read_bytes()[:400]:
            old.unlink()
    return written


def _excluded_in_xml(path: Path) -> dict[tuple[str, str, str], str]:
    """(covergroup, point, bin) -> reason of every ignore bin, from the XML itself."""
    out = {}
    for group, pt in _points(etree.parse(str(path)).getroot()):
        for el in pt.iter(_bin_tag(pt)):
            if el.get("type") == "ignore":
                why = el.find(f"userAttr[@key='{EXCLUSION_ATTR}']")
                text = why.text if why is not None else None
                out[(group, pt.get("name"), el.get("name"))] = text or ""
    return out


def read_ucis(path: Path) -> ConfigCoverage:
    """Read a file :func:`write_ucis` wrote back into the model (counts through pyucis)."""
    db = XmlFactory.read(str(path))
    excluded = _excluded_in_xml(path)
    inst = next(db.scopes(ScopeTypeT.INSTANCE))
    cov = ConfigCoverage(inst.getAttribute("config") or path.stem)
    items = CoverTypeT.CVGBIN | CoverTypeT.IGNOREBIN | CoverTypeT.ILLEGALBIN
    for cg in inst.scopes(ScopeTypeT.COVERGROUP):
        group = cg.getScopeName()
        for sc in [*cg.scopes(ScopeTypeT.COVERPOINT), *cg.scopes(ScopeTypeT.CROSS)]:
            p = cov.point(group, sc.getScopeName())
            if sc.getScopeType() == ScopeTypeT.CROSS:
                n = sc.getNumCrossedCoverpoints()
                p.crossed = tuple(sc.getIthCrossedCoverpoint(i).getScopeName() for i in range(n))
            for ci in sc.coverItems(items):
                b, data = ci.getName(), ci.getCoverData()
                p.bins[b] = int(data.data)
                why = excluded.get((group, p.name, b))
                if why is not None or data.type == UCIS_IGNOREBIN:
                    p.excluded[b] = why or ""
                elif data.type == UCIS_ILLEGALBIN:
                    p.excluded[b] = "illegal bin"
    for h in db.getHistoryNodes(HistoryNodeKind.TEST):
        kv = dict(t.split("=", 1) for t in (h.getComment() or "").split() if "=" in t)
        run = (
            h.getLogicalName(),
            kv.get("test"),
            h.getSeed(),
            h.getVendorTool(),
            kv.get("transport"),
        )
        cov.runs.append(Run(*(x or "" for x in run)))
    for g in cov.groups.values():
        g.points = {k: g.points[k] for k in sorted(g.points, key=natural_key)}
    return cov
