"""QGIS itself, headless, as a planner's desktop or a field officer's QField uses it: run by the tests with Debian's
/usr/bin/python3 (PyQGIS belongs to it, not to the project's virtual environment), printing JSON.

    python3 tests/qgis_client.py layer SOURCE PROVIDER       one layer (a GeoPackage table or a PostGIS table)
    python3 tests/qgis_client.py project PROJECT.qgz         every layer of a project
    python3 tests/qgis_client.py edit PROJECT.qgz EDITS.json edits through QGIS's edit buffer, then saves

A layer is described as QGIS reads it: valid, CRS, geometry, its renderer's categories (value, label, the colours
of each symbol's layers), each field's alias, editor widget and its configuration, and whether it is editable.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (
    QgsApplication,
    QgsFeature,
    QgsGeometry,
    QgsPointXY,
    QgsProject,
    QgsVectorLayer,
    QgsVectorLayerUtils,
)


def describe(layer: QgsVectorLayer) -> dict:
    out: dict = {
        "name": layer.name(),
        "valid": layer.isValid(),
        "crs": layer.crs().authid(),
        "features": layer.featureCount(),
        "read_only": layer.readOnly(),
        "labels": layer.labelsEnabled(),
    }
    r = layer.renderer()
    out["renderer"] = r.type() if r else None
    if r is not None and r.type() == "categorizedSymbol":
        out["attr"] = r.classAttribute()
        out["categories"] = [
            {
                "value": c.value(),
                "label": c.label(),
                "colors": [c.symbol().symbolLayer(i).color().name() for i in range(c.symbol().symbolLayerCount())],
                "dash": [
                    c.symbol().symbolLayer(i).customDashVector()
                    if hasattr(c.symbol().symbolLayer(i), "customDashVector")
                    else []
                    for i in range(c.symbol().symbolLayerCount())
                ],
                "brush": [
                    int(c.symbol().symbolLayer(i).brushStyle())
                    if hasattr(c.symbol().symbolLayer(i), "brushStyle")
                    else -1
                    for i in range(c.symbol().symbolLayerCount())
                ],
            }
            for c in r.categories()
        ]
    fields = {}
    form = layer.editFormConfig()
    for i in range(layer.fields().count()):
        f = layer.fields().at(i)
        setup = layer.editorWidgetSetup(i)
        fields[f.name()] = {
            "alias": layer.attributeAlias(i),
            "widget": setup.type(),
            "config": setup.config(),
            "editable": not form.readOnly(i),
        }
    out["fields"] = fields
    return out


def _find(layer: QgsVectorLayer, key_field: str, key: str) -> QgsFeature:
    for f in layer.getFeatures(f"\"{key_field}\" = '{key}'"):
        return f
    raise SystemExit(f"no feature {key} in {layer.name()}")


def edit(project_path: str, edits_path: str) -> dict:
    """Edit as QField does: start editing, change through the layer's edit buffer, commit, save the project."""
    project = QgsProject.instance()
    assert project.read(project_path), project_path
    edits = json.loads(Path(edits_path).read_text())
    done: dict = {}
    for spec in edits:
        layer = project.mapLayersByName(spec["layer"])[0]
        key_field = spec["key_field"]
        assert layer.startEditing(), layer.name()
        for key, values in spec.get("attributes", {}).items():
            f = _find(layer, key_field, key)
            for name, value in values.items():
                assert layer.changeAttributeValue(f.id(), layer.fields().indexOf(name), value), (key, name)
        for key, (dx, dy) in spec.get("move", {}).items():
            f = _find(layer, key_field, key)
            p = f.geometry().asPoint()
            assert layer.changeGeometry(f.id(), QgsGeometry.fromPointXY(QgsPointXY(p.x() + dx, p.y() + dy)))
        for key, factor in spec.get("reshape", {}).items():
            f = _find(layer, key_field, key)
            g = QgsGeometry(f.geometry())
            c = g.centroid().asPoint()
            vertices = [
                QgsPointXY(c.x() + (v.x() - c.x()) * factor, c.y() + (v.y() - c.y()) * factor) for v in g.vertices()
            ]
            assert layer.changeGeometry(f.id(), QgsGeometry.fromPolygonXY([vertices]))
        for new in spec.get("add", []):
            # as QField adds one: the layer's default values (a key of its own, the edit time) filled in
            attrs = {layer.fields().indexOf(n): v for n, v in new["attributes"].items()}
            f = QgsVectorLayerUtils.createFeature(layer, QgsGeometry.fromWkt(new["wkt"]), attrs)
            if new.get("photo"):
                target = Path(project_path).parent / "DCIM" / Path(new["photo"]).name
                shutil.copy(new["photo"], target)
                f.setAttribute(layer.fields().indexOf(new["photo_field"]), f"DCIM/{target.name}")
            assert layer.addFeature(f), new
        for key in spec.get("delete", []):
            assert layer.deleteFeature(_find(layer, key_field, key).id()), key
        for key, photo in spec.get("photos", {}).items():
            f = _find(layer, key_field, key)
            target = Path(project_path).parent / "DCIM" / Path(photo["file"]).name
            shutil.copy(photo["file"], target)
            layer.changeAttributeValue(f.id(), layer.fields().indexOf(photo["field"]), f"DCIM/{target.name}")
        ok = layer.commitChanges()
        done[spec["layer"]] = {"committed": ok, "errors": layer.commitErrors(), "features": layer.featureCount()}
    done["saved"] = project.write()
    return done


def run(argv: list[str]) -> object:
    cmd = argv[1]
    if cmd == "layer":
        layer = QgsVectorLayer(argv[2], "layer", argv[3])
        return describe(layer)
    if cmd == "project":
        project = QgsProject.instance()
        ok = project.read(argv[2])
        result = {
            "read": ok,
            "crs": project.crs().authid(),
            "layers": [describe(lyr) for lyr in project.mapLayers().values()],
        }
        project.clear()
        return result
    if cmd == "edit":
        result = edit(argv[2], argv[3])
        QgsProject.instance().clear()
        return result
    raise SystemExit(f"unknown command {cmd}")


def main() -> None:
    app = QgsApplication([], False)
    app.initQgis()
    result = run(sys.argv)  # every layer is gone before QGIS exits (else it crashes on the way out)
    print(json.dumps(result, ensure_ascii=False, default=str), flush=True)
    app.exitQgis()


if __name__ == "__main__":
    main()
