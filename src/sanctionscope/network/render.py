"""`network show`: a self-contained HTML page of one entity's neighbourhood.

The page is one file with inline SVG and a few lines of inline script (no CDN, no network):
the entity in the centre, its neighbours within ``radius`` hops on rings around it, the
proof paths of its finding highlighted, and a legend.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from sanctionscope.network.result import AnalysisResult, Finding

MAX_PER_RING = 60  # beyond this, a ring lists "+N more" (hubs have thousands of neighbours)
WIDTH = HEIGHT = 900


@dataclass
class Neighbourhood:
    nodes: dict[str, dict[str, Any]]  # id → {caption, schema, sanctioned, hop}
    edges: list[tuple[str, str, str, str]]  # (edge id, source id, target id, kind)
    hidden: dict[int, int]  # ring → nodes not drawn


@dataclass
class EntityPage:
    html: str
    status: str  # the finding's status, or "no finding"
    drawn: int  # entities on the page


def entity_page(con: Any, result: AnalysisResult, entity_id: str, radius: int = 2) -> EntityPage:
    """The HTML page of one entity: its neighbourhood and the paths that prove its finding.
    Raises KeyError when the entity is not in the analysed graph."""
    finding = result.by_id().get(entity_id)
    must_show = {step["node"] for path in finding.paths for step in path} if finding else set()
    hood = neighbourhood(con, entity_id, radius, must_show)
    if finding is not None:
        # Path nodes further away than the radius are drawn on an outer ring.
        add_path_nodes(con, hood, must_show, radius)
    status = finding.status if finding else "no finding"
    return EntityPage(render_html(entity_id, hood, finding), status, len(hood.nodes))


def add_path_nodes(con: Any, hood: Any, must_show: set[str], radius: int) -> None:
    missing = sorted(must_show - set(hood.nodes))
    for node_id in missing:
        row = con.execute(
            "SELECT caption, schema, sanctioned FROM g_nodes WHERE id = ?", [node_id]
        ).fetchone()
        if row is not None:
            hood.nodes[node_id] = {
                "caption": row[0] or node_id,
                "schema": row[1],
                "sanctioned": row[2],
                "hop": radius + 1,
            }
    if missing:
        placeholders = ", ".join("?" for _ in hood.nodes)
        ids = list(hood.nodes)
        rows = con.execute(
            f"""
            SELECT coalesce(r.id, ''), s.id, t.id, CAST(e.kind AS VARCHAR) FROM g_edges e
        JOIN edges_rn r ON r.rn = e.rn
            JOIN g_nodes s ON s.ix = e.src JOIN g_nodes t ON t.ix = e.dst
            WHERE s.id IN ({placeholders}) AND t.id IN ({placeholders})
            """,
            ids + ids,
        ).fetchall()
        known = {edge[0] for edge in hood.edges}
        hood.edges.extend(r for r in rows if r[0] not in known)


def neighbourhood(con: Any, node_id: str, radius: int, must_show: set[str]) -> Neighbourhood:
    """Nodes within ``radius`` hops of ``node_id`` (from ``g_nodes``/``g_edges``)."""
    row = con.execute("SELECT ix FROM g_nodes WHERE id = ?", [node_id]).fetchone()
    if row is None:
        raise KeyError(node_id)
    con.execute(f"CREATE OR REPLACE TEMP TABLE hood AS SELECT {int(row[0])} AS ix, 0 AS hop")
    for hop in range(1, radius + 1):
        con.execute(
            f"""
            INSERT INTO hood
            SELECT DISTINCT CASE WHEN e.src = h.ix THEN e.dst ELSE e.src END, {hop}
            FROM g_edges e JOIN hood h ON (e.src = h.ix OR e.dst = h.ix) AND h.hop = {hop - 1}
            WHERE CASE WHEN e.src = h.ix THEN e.dst ELSE e.src END NOT IN (SELECT ix FROM hood)
            """
        )
    rows = con.execute(
        "SELECT n.id, n.caption, n.schema, n.sanctioned, h.hop FROM hood h "
        "JOIN g_nodes n ON n.ix = h.ix ORDER BY h.hop, n.id"
    ).fetchall()
    kept: dict[str, dict[str, Any]] = {}
    per_ring: dict[int, int] = {}
    hidden: dict[int, int] = {}
    for nid, caption, schema, sanctioned, hop in rows:
        per_ring[hop] = per_ring.get(hop, 0) + 1
        if per_ring[hop] > MAX_PER_RING and nid not in must_show:
            hidden[hop] = hidden.get(hop, 0) + 1
            continue
        kept[nid] = {
            "caption": caption or nid,
            "schema": schema,
            "sanctioned": sanctioned,
            "hop": hop,
        }
    edges = con.execute(
        """
        SELECT coalesce(r.id, ''), s.id, t.id, CAST(e.kind AS VARCHAR) FROM g_edges e
        JOIN edges_rn r ON r.rn = e.rn
        JOIN hood hs ON e.src = hs.ix JOIN hood ht ON e.dst = ht.ix
        JOIN g_nodes s ON s.ix = e.src JOIN g_nodes t ON t.ix = e.dst
        ORDER BY 1
        """
    ).fetchall()
    drawn = [(i, s, t, k) for i, s, t, k in edges if s in kept and t in kept]
    return Neighbourhood(kept, drawn, hidden)


def _positions(hood: Neighbourhood) -> dict[str, tuple[float, float]]:
    rings: dict[int, list[str]] = {}
    for nid, node in hood.nodes.items():
        rings.setdefault(int(node["hop"]), []).append(nid)
    cx, cy = WIDTH / 2, HEIGHT / 2
    step = (min(WIDTH, HEIGHT) / 2 - 90) / max(1, max(rings))
    pos: dict[str, tuple[float, float]] = {}
    for hop, members in rings.items():
        for k, nid in enumerate(members):
            if hop == 0:
                pos[nid] = (cx, cy)
                continue
            angle = 2 * math.pi * k / len(members) + hop * 0.4
            pos[nid] = (cx + hop * step * math.cos(angle), cy + hop * step * math.sin(angle))
    return pos


def render_html(center: str, hood: Neighbourhood, finding: Finding | None) -> str:
    pos = _positions(hood)
    on_path: set[tuple[str, str]] = set()
    path_nodes: set[str] = set()
    for path in finding.paths if finding else []:
        ids = [step["node"] for step in path]
        path_nodes.update(ids)
        on_path.update(pairwise(ids))
    svg: list[str] = []
    for edge_id, source, target, kind in hood.edges:
        (x1, y1), (x2, y2) = pos[source], pos[target]
        hot = (source, target) in on_path or (target, source) in on_path
        cls = "edge path" if hot else "edge"
        svg.append(
            f'<g class="{cls}"><title>{html.escape(kind)} {html.escape(edge_id)}: '
            f"{html.escape(source)} → {html.escape(target)}</title>"
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}"/>'
            f'<text x="{(x1 + x2) / 2:.1f}" y="{(y1 + y2) / 2:.1f}">{html.escape(kind)}</text></g>'
        )
    for nid, node in hood.nodes.items():
        x, y = pos[nid]
        classes = ["node"]
        if node["sanctioned"]:
            classes.append("sanctioned")
        if nid in path_nodes:
            classes.append("path")
        if nid == center:
            classes.append("center")
        label = html.escape(str(node["caption"]))
        svg.append(
            f'<g class="{" ".join(classes)}" data-id="{html.escape(nid)}">'
            f"<title>{label} ({html.escape(nid)}, {html.escape(str(node['schema']))})</title>"
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{14 if nid == center else 9}"/>'
            f'<text x="{x + 12:.1f}" y="{y - 10:.1f}">{label}</text></g>'
        )
    hidden = "".join(
        f"<li>ring {hop}: {count} more neighbour(s) not drawn</li>"
        for hop, count in sorted(hood.hidden.items())
    )
    return PAGE.format(
        title=html.escape(f"{hood.nodes[center]['caption']} ({center})"),
        summary=_summary(finding),
        svg="\n".join(svg),
        width=WIDTH,
        height=HEIGHT,
        hidden=f"<ul>{hidden}</ul>" if hidden else "",
    )


def _summary(finding: Finding | None) -> str:
    if finding is None:
        return "<p>No finding for this entity: it is not blocked, exposed or flagged.</p>"
    reasons = "".join(f"<li>{html.escape(r)}</li>" for r in finding.reasons)
    paths = "".join(
        "<li>"
        + " ".join(
            (f"—{html.escape(step['edge'])}→ " if step["edge"] else "")
            + f"<code>{html.escape(step['node'])}</code>"
            for step in path
        )
        + "</li>"
        for path in finding.paths
    )
    return (
        f"<p><b>{html.escape(finding.status)}</b>, score {finding.score:.3f}</p>"
        f"<h2>Reasons</h2><ul>{reasons}</ul><h2>Paths</h2><ol>{paths}</ol>"
    )


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>sanctionscope: {title}</title>
<style>
body {{ font: 14px system-ui, sans-serif; margin: 1em 2em; color: #222; }}
svg {{ border: 1px solid #ccc; background: #fcfcfc; }}
.edge line {{ stroke: #bbb; stroke-width: 1.2; }}
.edge text {{ font-size: 9px; fill: #999; }}
.edge.path line {{ stroke: #d62728; stroke-width: 3.5; }}
.edge.path text {{ fill: #d62728; font-weight: bold; }}
.node circle {{ fill: #7aa6d8; stroke: #345; }}
.node.sanctioned circle {{ fill: #8b0000; }}
.node.path circle {{ stroke: #d62728; stroke-width: 3; }}
.node.center circle {{ fill: #f0ad4e; }}
.node text {{ font-size: 11px; }}
.node.dim, .edge.dim {{ opacity: 0.2; }}
.legend span {{ display: inline-block; margin-right: 1.5em; }}
.swatch {{ display: inline-block; width: 12px; height: 12px; border-radius: 6px;
  vertical-align: middle; margin-right: 4px; border: 1px solid #345; }}
</style></head><body>
<h1>{title}</h1>
{summary}
<p class="legend">
<span><i class="swatch" style="background:#f0ad4e"></i>this entity</span>
<span><i class="swatch" style="background:#8b0000"></i>sanctioned</span>
<span><i class="swatch" style="background:#7aa6d8"></i>other entity</span>
<span><i class="swatch" style="background:#fff;border:3px solid #d62728"></i>on a proof path</span>
<span>red line: edge of a proof path; rings: hops from this entity</span>
</p>
{hidden}
<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}">
{svg}
</svg>
<script>
// Hover a node: dim what is not attached to it.
document.querySelectorAll(".node").forEach(function (node) {{
  var id = node.getAttribute("data-id");
  node.addEventListener("mouseenter", function () {{
    document.querySelectorAll(".edge").forEach(function (edge) {{
      var t = edge.querySelector("title").textContent;
      if (t.indexOf(": " + id + " →") < 0 && t.indexOf("→ " + id) < 0) edge.classList.add("dim");
    }});
  }});
  node.addEventListener("mouseleave", function () {{
    document.querySelectorAll(".dim").forEach(function (e) {{ e.classList.remove("dim"); }});
  }});
}});
</script>
</body></html>
"""
