#!/usr/bin/python3
"""Independent checks of an unpacked bioimage.io package, with Debian's Python only.

Usage: check_package.py PACKAGE_DIR SCHEMA_JSON [IMAGE]

Reads rdf.yaml with PyYAML (a YAML 1.1 reader: it also proves the file quotes what 1.1 would
misread), validates it with python3-jsonschema (Draft 2020-12) against the schema's
`bioimageio__spec__model__v0_5__ModelDescr` definition, recomputes the SHA-256 of every file
the rdf references, and loads the test tensors with numpy. With IMAGE (read with PIL), also
rebuilds the test input from the region `config.czmodel.test_input` names: grey models get the
mean of R, G, B, and values are converted to the package's pixel type (x * max_out / max_in,
rounded); `image_matches` says whether that equals test_input.npy. Prints one JSON object.
"""
import hashlib
import json
import os
import sys

import jsonschema
import numpy as np
import yaml
from PIL import Image

MODEL_DEF = "bioimageio__spec__model__v0_5__ModelDescr"


def main():
    folder, schema_path = sys.argv[1], sys.argv[2]
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    with open(os.path.join(folder, "rdf.yaml"), encoding="utf-8") as f:
        rdf = yaml.safe_load(f)
    root = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$defs": schema["$defs"], "$ref": f"#/$defs/{MODEL_DEF}"}
    validator = jsonschema.Draft202012Validator(root)
    errors = sorted(f"{'/'.join(str(p) for p in e.absolute_path)}: {e.message}" for e in validator.iter_errors(rdf))

    refs = []
    for t in rdf["inputs"] + rdf["outputs"]:
        refs.append(t["test_tensor"])
    refs.append(rdf["weights"]["onnx"])
    refs.extend(rdf.get("attachments", []))
    hashes = {}
    for r in refs:
        with open(os.path.join(folder, r["source"]), "rb") as f:
            hashes[r["source"]] = {"declared": r.get("sha256"), "actual": hashlib.sha256(f.read()).hexdigest()}

    tensors = {}
    for name in ("test_input.npy", "test_output.npy"):
        a = np.load(os.path.join(folder, name))
        tensors[name] = {
            "dtype": str(a.dtype),
            "shape": list(a.shape),
            "sum": float(a.astype(np.float64).sum()),
            "min": float(a.min()),
            "max": float(a.max()),
        }
    result = {"errors": errors, "hashes": hashes, "tensors": tensors, "timestamp_type": type(rdf.get("timestamp")).__name__}
    if len(sys.argv) > 3:
        result["image_matches"] = image_matches(folder, rdf, sys.argv[3])
    print(json.dumps(result))


def image_matches(folder, rdf, image_path):
    region = rdf["config"]["czmodel"]["test_input"]
    img = np.array(Image.open(image_path))
    max_in = 255 if img.dtype == np.uint8 else 65535
    crop = img[region["y"] : region["y"] + region["height"], region["x"] : region["x"] + region["width"]].astype(np.float64)
    if crop.ndim == 2:
        crop = crop[..., None]
    channels = len(rdf["inputs"][0]["axes"][3]["channel_names"])
    if channels == 1 and crop.shape[-1] >= 3:
        crop = crop[..., :3].mean(axis=-1, keepdims=True)
    dtype = np.dtype(rdf["inputs"][0]["data"]["type"])
    max_out = np.iinfo(dtype).max
    expected = np.round(crop * max_out / max_in).astype(dtype)
    actual = np.load(os.path.join(folder, "test_input.npy"))[0]
    return bool(actual.shape == expected.shape and np.array_equal(actual, expected))


main()
